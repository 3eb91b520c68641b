using System.Buffers.Binary;

namespace QQQ.Formats;

/// <summary>
/// A safetensors file opened read-only through a memory mapping. Layout: 8-byte little-endian header
/// length N, N bytes of JSON header, then the data section that the header's offsets point into.
/// The whole header is validated on open; tensor bytes are only touched when read. Spans returned by
/// <see cref="GetBytes"/> point into the mapping and are valid until <see cref="Dispose"/>.
/// Reading from several threads at once is safe; disposing while reading is not.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    const int LengthPrefixBytes = 8;

    readonly MappedFile file;
    readonly long dataStart;
    readonly Dictionary<string, SafetensorsTensorInfo> byName;

    SafetensorsFile(MappedFile file, long dataStart, SafetensorsHeader.Contents header)
    {
        this.file = file;
        this.dataStart = dataStart;
        Tensors = header.Tensors;
        Metadata = header.Metadata;
        byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Path the file was opened from.</summary>
    public string Path => file.Path;

    /// <summary>All tensors, sorted by name (ordinal).</summary>
    public IReadOnlyList<SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The header's <c>__metadata__</c> string map; empty when absent.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and validates <paramref name="path"/>; any defect throws <see cref="ModelFormatException"/>.</summary>
    public static SafetensorsFile Open(string path)
    {
        var file = MappedFile.Open(path, LengthPrefixBytes, "the header length");
        try
        {
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file.Span(0, LengthPrefixBytes));
            long available = file.Length - LengthPrefixBytes;
            if (headerLength > (ulong)available)
                throw new ModelFormatException(path, $"header length {headerLength} runs past the end of the file ({file.Length} bytes)");
            if (headerLength > SafetensorsHeader.MaxHeaderBytes)
                throw new ModelFormatException(path, $"header length {headerLength} exceeds the {SafetensorsHeader.MaxHeaderBytes}-byte limit");
            if (headerLength == 0) throw new ModelFormatException(path, "header is empty");
            long dataStart = LengthPrefixBytes + (long)headerLength;
            var header = SafetensorsHeader.Parse(path, file.Span(LengthPrefixBytes, (int)headerLength), file.Length - dataStart);
            return new SafetensorsFile(file, dataStart, header);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>True when the file holds a tensor of that name.</summary>
    public bool Contains(string name) => byName.ContainsKey(name);

    /// <summary>Looks a tensor up by name.</summary>
    public bool TryGetInfo(string name, out SafetensorsTensorInfo info) => byName.TryGetValue(name, out info!);

    /// <summary>The entry of tensor <paramref name="name"/>; <see cref="KeyNotFoundException"/> when absent.</summary>
    public SafetensorsTensorInfo GetInfo(string name) =>
        byName.TryGetValue(name, out var info) ? info : throw new KeyNotFoundException($"{Path}: no tensor named {MessageText.Quote(name)}");

    /// <summary>The raw little-endian bytes of a tensor, straight from the mapping (no copy). Tensors over 2 GiB are not supported here.</summary>
    public ReadOnlySpan<byte> GetBytes(string name)
    {
        var info = GetInfo(name);
        if (info.ByteLength > int.MaxValue)
            throw new NotSupportedException($"{Path}: tensor {MessageText.Quote(name)} has {info.ByteLength} bytes, more than one span can hold; use ReadFloat32");
        return file.Span(dataStart + info.DataBegin, (int)info.ByteLength);
    }

    /// <summary>Reads a tensor as float32 (row-major, its own shape), converting from any dtype.</summary>
    public float[] ReadFloat32(string name)
    {
        var info = GetInfo(name);
        if (info.ElementCount > Array.MaxLength)
            throw new NotSupportedException($"{Path}: tensor {MessageText.Quote(name)} has {info.ElementCount} elements, more than an array can hold");
        var values = new float[info.ElementCount];
        ReadFloat32(name, values);
        return values;
    }

    /// <summary>Reads a tensor as float32 into <paramref name="destination"/>, which must have exactly its element count.</summary>
    public void ReadFloat32(string name, Span<float> destination)
    {
        var info = GetInfo(name);
        if (destination.Length != info.ElementCount)
            throw new ArgumentException($"tensor {MessageText.Quote(name)} has {info.ElementCount} elements, the destination {destination.Length}", nameof(destination));
        file.ReadFloat32(dataStart + info.DataBegin, info.DType, destination);
    }

    /// <summary>Unmaps the file; spans obtained earlier must no longer be used.</summary>
    public void Dispose() => file.Dispose();
}
