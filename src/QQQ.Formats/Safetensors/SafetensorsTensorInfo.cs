namespace QQQ.Formats;

/// <summary>One tensor entry of a safetensors header, already checked against the file.</summary>
public sealed class SafetensorsTensorInfo
{
    internal SafetensorsTensorInfo(string name, SafetensorsDType dtype, int[] shape, long elementCount, long dataBegin, long byteLength)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        ElementCount = elementCount;
        DataBegin = dataBegin;
        ByteLength = byteLength;
    }

    /// <summary>Tensor name as written in the header.</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public SafetensorsDType DType { get; }

    /// <summary>Dimensions, outermost first (row-major); empty for a scalar.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Product of the dimensions (1 for a scalar).</summary>
    public long ElementCount { get; }

    /// <summary>First byte of the tensor, relative to the start of the data section (the header's data_offsets[0]).</summary>
    public long DataBegin { get; }

    /// <summary>Bytes the tensor occupies: ElementCount * element size.</summary>
    public long ByteLength { get; }

    /// <summary>The shape as a fresh array.</summary>
    public int[] ShapeArray() => [.. Shape];
}
