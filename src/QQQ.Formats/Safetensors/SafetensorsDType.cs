namespace QQQ.Formats;

/// <summary>Element types of the safetensors format; <see cref="SafetensorsDTypes.HeaderName"/> gives the header spelling.</summary>
public enum SafetensorsDType
{
    /// <summary>"BOOL": one byte, 0 or 1.</summary>
    Bool,
    /// <summary>"U8".</summary>
    U8,
    /// <summary>"I8".</summary>
    I8,
    /// <summary>"I16".</summary>
    I16,
    /// <summary>"U16".</summary>
    U16,
    /// <summary>"F16": IEEE 754 binary16.</summary>
    F16,
    /// <summary>"BF16": the upper half of a binary32.</summary>
    BF16,
    /// <summary>"I32".</summary>
    I32,
    /// <summary>"U32".</summary>
    U32,
    /// <summary>"F32".</summary>
    F32,
    /// <summary>"I64".</summary>
    I64,
    /// <summary>"U64".</summary>
    U64,
    /// <summary>"F64".</summary>
    F64,
}

/// <summary>Sizes and header names of <see cref="SafetensorsDType"/> values.</summary>
public static class SafetensorsDTypes
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.Bool or SafetensorsDType.U8 or SafetensorsDType.I8 => 1,
        SafetensorsDType.I16 or SafetensorsDType.U16 or SafetensorsDType.F16 or SafetensorsDType.BF16 => 2,
        SafetensorsDType.I32 or SafetensorsDType.U32 or SafetensorsDType.F32 => 4,
        SafetensorsDType.I64 or SafetensorsDType.U64 or SafetensorsDType.F64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The spelling used in the JSON header, e.g. "BF16".</summary>
    public static string HeaderName(this SafetensorsDType dtype) =>
        dtype == SafetensorsDType.Bool ? "BOOL" : dtype.ToString();

    /// <summary>True for F16, BF16, F32 and F64: the types a weight may be stored in.</summary>
    public static bool IsFloatingPoint(this SafetensorsDType dtype) =>
        dtype is SafetensorsDType.F16 or SafetensorsDType.BF16 or SafetensorsDType.F32 or SafetensorsDType.F64;

    /// <summary>Parses a header spelling (case-sensitive, as the format defines it).</summary>
    public static bool TryParse(string headerName, out SafetensorsDType dtype)
    {
        foreach (var candidate in Enum.GetValues<SafetensorsDType>())
        {
            if (candidate.HeaderName() == headerName)
            {
                dtype = candidate;
                return true;
            }
        }
        dtype = default;
        return false;
    }
}
