using System.Text.Json;
using System.Text.Unicode;

namespace QQQ.Formats;

/// <summary>Reads a small JSON file (config.json, an index) whose root must be an object.</summary>
internal static class JsonFile
{
    /// <summary>Parses <paramref name="path"/>, refusing files over <paramref name="maxBytes"/> before reading them.</summary>
    public static JsonElement ReadObject(string path, long maxBytes)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new ModelFormatException(path, "file not found");
        if (info.Length > maxBytes) throw new ModelFormatException(path, $"file has {info.Length} bytes, more than the {maxBytes} a JSON file of this kind may have");
        var bytes = File.ReadAllBytes(path);
        if (!Utf8.IsValid(bytes)) throw new ModelFormatException(path, "not valid UTF-8");
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new ModelFormatException(path, "the JSON root is not an object");
            CheckStrings(path, document.RootElement);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"not valid JSON (line {e.LineNumber}, byte {e.BytePositionInLine})", e);
        }
    }

    /// <summary>
    /// Decodes every string once: an escaped lone surrogate ("\ud800") parses but throws
    /// InvalidOperationException when read, so it is turned into a format error here, up front.
    /// </summary>
    static void CheckStrings(string path, JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    element.GetString();
                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray()) CheckStrings(path, item);
                    break;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        CheckStrings(path, property.Value);
                    }
                    break;
            }
        }
        catch (InvalidOperationException e)
        {
            throw new ModelFormatException(path, "contains a string that is not valid Unicode", e);
        }
    }
}
