using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace QQQ.Formats;

/// <summary>
/// Collects tensors and writes them as one safetensors file. The output depends only on the content,
/// never on the order of <c>Add</c> calls: <c>__metadata__</c> first with sorted keys, then tensors
/// sorted by name (ordinal), compact JSON, header padded with spaces so the data section starts on an
/// 8-byte boundary, tensor data back to back in header order (no gaps, as the reference reader wants).
/// </summary>
public sealed class SafetensorsWriter
{
    readonly SortedDictionary<string, PendingTensor> tensors = new(StringComparer.Ordinal);

    sealed record PendingTensor(SafetensorsDType DType, int[] Shape, byte[] Data);

    /// <summary>Free-form string pairs stored under <c>__metadata__</c> (written sorted by key).</summary>
    public IDictionary<string, string> Metadata { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Adds a tensor from raw little-endian bytes (the bytes are copied).</summary>
    /// <exception cref="ArgumentException">Bad or duplicate name, negative dimension, or a byte count that does not match dtype and shape.</exception>
    public void Add(string name, SafetensorsDType dtype, ReadOnlySpan<int> shape, ReadOnlySpan<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == SafetensorsHeader.MetadataKey) throw new ArgumentException($"'{name}' is reserved for metadata", nameof(name));
        if (tensors.ContainsKey(name)) throw new ArgumentException($"tensor '{name}' was already added", nameof(name));
        long elementCount = 1;
        foreach (int size in shape)
        {
            if (size < 0) throw new ArgumentException($"tensor '{name}' has a negative dimension", nameof(shape));
            elementCount = checked(elementCount * size);
        }
        if (data.Length != checked(elementCount * dtype.ElementSize()))
            throw new ArgumentException($"tensor '{name}': {data.Length} bytes, but {dtype.HeaderName()} {MessageText.Shape(shape.ToArray())} needs {elementCount * dtype.ElementSize()}", nameof(data));
        tensors.Add(name, new PendingTensor(dtype, shape.ToArray(), data.ToArray()));
    }

    /// <summary>
    /// Adds a tensor of .NET values; the dtype follows <typeparamref name="T"/>: float F32, Half F16,
    /// double F64, sbyte I8, byte U8, short I16, ushort U16, int I32, uint U32, long I64, ulong U64, bool BOOL.
    /// (BF16 has no .NET type: pass its bytes to the other overload.)
    /// </summary>
    public void Add<T>(string name, ReadOnlySpan<int> shape, ReadOnlySpan<T> values) where T : unmanaged =>
        Add(name, DTypeOf<T>(), shape, MemoryMarshal.AsBytes(values));

    /// <summary>Writes the file atomically (temporary file in the same folder, then rename over <paramref name="path"/>).</summary>
    public void Write(string path) => AtomicFile.Write(path, WriteTo);

    void WriteTo(Stream stream)
    {
        var header = BuildHeader();
        // The data section must start at a multiple of 8; the spec allows trailing spaces in the header for that.
        int padding = (8 - (8 + header.Length) % 8) % 8;
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)(header.Length + padding));
        stream.Write(prefix);
        stream.Write(header);
        for (int i = 0; i < padding; i++) stream.WriteByte((byte)' ');
        foreach (var tensor in tensors.Values) stream.Write(tensor.Data);
    }

    byte[] BuildHeader()
    {
        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps names like "a+b" readable; the output is still plain, deterministic JSON.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (Metadata.Count > 0)
            {
                json.WriteStartObject(SafetensorsHeader.MetadataKey);
                foreach (var (key, value) in Metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                json.WriteStartObject(name);
                json.WriteString("dtype", tensor.DType.HeaderName());
                json.WriteStartArray("shape");
                foreach (int size in tensor.Shape) json.WriteNumberValue(size);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + tensor.Data.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += tensor.Data.Length;
            }
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    static SafetensorsDType DTypeOf<T>() where T : unmanaged => default(T) switch
    {
        float => SafetensorsDType.F32,
        Half => SafetensorsDType.F16,
        double => SafetensorsDType.F64,
        sbyte => SafetensorsDType.I8,
        byte => SafetensorsDType.U8,
        short => SafetensorsDType.I16,
        ushort => SafetensorsDType.U16,
        int => SafetensorsDType.I32,
        uint => SafetensorsDType.U32,
        long => SafetensorsDType.I64,
        ulong => SafetensorsDType.U64,
        bool => SafetensorsDType.Bool,
        _ => throw new NotSupportedException($"{typeof(T).Name} has no safetensors dtype"),
    };
}
