using System.Text.Json;
using System.Text.Unicode;

namespace QQQ.Formats;

/// <summary>
/// Parses and validates the JSON header of a safetensors file:
/// <c>{"__metadata__": {"k": "v"}, "name": {"dtype": "F16", "shape": [rows, cols], "data_offsets": [begin, end]}, ...}</c>,
/// offsets relative to the data section that follows the header. Every number is checked against the
/// data length before anything is sized by it.
/// </summary>
internal static class SafetensorsHeader
{
    /// <summary>The reference implementation refuses headers above 100 MB; a larger one is hostile or broken.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    public const string MetadataKey = "__metadata__";

    public sealed record Contents(IReadOnlyList<SafetensorsTensorInfo> Tensors, IReadOnlyDictionary<string, string> Metadata);

    /// <summary>Parses <paramref name="json"/>; tensors come back sorted by name (ordinal).</summary>
    public static Contents Parse(string path, ReadOnlySpan<byte> json, long dataLength)
    {
        // JsonElement decodes strings lazily and throws InvalidOperationException on bad UTF-8; checking
        // the whole header first turns that into a format error.
        if (!Utf8.IsValid(json)) throw new ModelFormatException(path, "header is not valid UTF-8");
        JsonDocument document;
        try
        {
            // The header nests three levels deep; a low limit rejects deeply nested junk early.
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"header is not valid JSON (line {e.LineNumber}, byte {e.BytePositionInLine})", e);
        }
        using (document)
        {
            try
            {
                return ParseRoot(path, document.RootElement, dataLength);
            }
            catch (InvalidOperationException e)
            {
                // Escaped lone surrogates ("\ud800") pass the UTF-8 check but cannot become a string.
                throw new ModelFormatException(path, "header contains a string that is not valid Unicode", e);
            }
        }
    }

    static Contents ParseRoot(string path, JsonElement root, long dataLength)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new ModelFormatException(path, "header is not a JSON object");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var tensors = new List<SafetensorsTensorInfo>();
        IReadOnlyDictionary<string, string> metadata = new Dictionary<string, string>();
        foreach (var property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name))
                throw new ModelFormatException(path, $"header key {MessageText.Quote(property.Name)} appears twice");
            if (property.Name == MetadataKey) metadata = ParseMetadata(path, property.Value);
            else tensors.Add(ParseTensor(path, property.Name, property.Value, dataLength));
        }
        CheckNoOverlap(path, tensors);
        tensors.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new Contents(tensors, metadata);
    }

    static Dictionary<string, string> ParseMetadata(string path, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException(path, $"{MetadataKey} is not a JSON object");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in element.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new ModelFormatException(path, $"{MetadataKey} value of {MessageText.Quote(entry.Name)} is not a string");
            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
                throw new ModelFormatException(path, $"{MetadataKey} key {MessageText.Quote(entry.Name)} appears twice");
        }
        return metadata;
    }

    static SafetensorsTensorInfo ParseTensor(string path, string name, JsonElement entry, long dataLength)
    {
        string what = $"tensor {MessageText.Quote(name)}";
        ModelFormatException Fail(string problem) => new(path, $"{what}: {problem}");

        if (entry.ValueKind != JsonValueKind.Object) throw Fail("entry is not a JSON object");
        // Unknown fields are tolerated (the format may grow); a repeated known one is ambiguous.
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var field in entry.EnumerateObject())
        {
            if (field.Name is "dtype" or "shape" or "data_offsets" && !fields.TryAdd(field.Name, field.Value))
                throw Fail($"field '{field.Name}' appears twice");
        }

        if (!fields.TryGetValue("dtype", out var dtypeValue) || dtypeValue.ValueKind != JsonValueKind.String)
            throw Fail("'dtype' is missing or not a string");
        var dtypeName = dtypeValue.GetString()!;
        if (!SafetensorsDTypes.TryParse(dtypeName, out var dtype)) throw Fail($"unknown dtype {MessageText.Quote(dtypeName)}");

        if (!fields.TryGetValue("shape", out var shapeValue) || shapeValue.ValueKind != JsonValueKind.Array)
            throw Fail("'shape' is missing or not an array");
        var shape = new int[shapeValue.GetArrayLength()];
        long elementCount = 1;
        int axis = 0;
        foreach (var dimension in shapeValue.EnumerateArray())
        {
            if (dimension.ValueKind != JsonValueKind.Number || !dimension.TryGetInt64(out long size))
                throw Fail($"shape dimension {axis} is not an integer");
            if (size < 0) throw Fail($"shape dimension {axis} is negative ({size})");
            if (size > int.MaxValue) throw Fail($"shape dimension {axis} ({size}) is too large");
            shape[axis++] = (int)size;
            // Checked before multiplying, so the element count can never wrap to a small, plausible value.
            if (size != 0 && elementCount > long.MaxValue / size) throw Fail("shape product overflows");
            elementCount *= size;
        }
        if (elementCount > long.MaxValue / dtype.ElementSize()) throw Fail("shape product overflows");
        long byteLength = elementCount * dtype.ElementSize();

        if (!fields.TryGetValue("data_offsets", out var offsetsValue) || offsetsValue.ValueKind != JsonValueKind.Array
            || offsetsValue.GetArrayLength() != 2)
            throw Fail("'data_offsets' is missing or not a pair [begin, end]");
        if (!TryGetOffset(offsetsValue[0], out long begin) || !TryGetOffset(offsetsValue[1], out long end))
            throw Fail("'data_offsets' are not non-negative integers");
        if (begin > end) throw Fail($"data_offsets [{begin}, {end}] begin after their end");
        if (end > dataLength) throw Fail($"data_offsets [{begin}, {end}] run past the end of the data section ({dataLength} bytes)");
        if (end - begin != byteLength)
            throw Fail($"data_offsets [{begin}, {end}] hold {end - begin} bytes but {dtype.HeaderName()} {MessageText.Shape(shape)} needs {byteLength}");
        return new SafetensorsTensorInfo(name, dtype, shape, elementCount, begin, byteLength);
    }

    static bool TryGetOffset(JsonElement element, out long value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value) && value >= 0;
    }

    /// <summary>Gaps between tensors are allowed; shared bytes are not (one write would change two tensors).</summary>
    static void CheckNoOverlap(string path, List<SafetensorsTensorInfo> tensors)
    {
        var byBegin = tensors.Where(t => t.ByteLength > 0).OrderBy(t => t.DataBegin).ToList();
        SafetensorsTensorInfo? furthest = null;
        foreach (var tensor in byBegin)
        {
            if (furthest != null && tensor.DataBegin < furthest.DataBegin + furthest.ByteLength)
                throw new ModelFormatException(path,
                    $"tensors {MessageText.Quote(furthest.Name)} and {MessageText.Quote(tensor.Name)} overlap in the data section");
            if (furthest == null || tensor.DataBegin + tensor.ByteLength > furthest.DataBegin + furthest.ByteLength) furthest = tensor;
        }
    }
}
