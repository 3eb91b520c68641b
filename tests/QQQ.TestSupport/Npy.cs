using System.Text;
using System.Text.RegularExpressions;

namespace QQQ.TestSupport;

/// <summary>Minimal reader for NumPy .npy files (version 1-3, little-endian, C order) used by reference data.</summary>
public static partial class Npy
{
    public sealed record Array(string Dtype, int[] Shape, byte[] Data)
    {
        public float[] AsFloat32() => Dtype == "<f4" ? Cast<float>() : throw new InvalidDataException($"dtype {Dtype} is not <f4");
        public int[] AsInt32() => Dtype switch
        {
            "<u2" => Cast<ushort>().Select(v => (int)v).ToArray(),
            "<i4" => Cast<int>(),
            "<i8" => Cast<long>().Select(v => checked((int)v)).ToArray(),
            _ => throw new InvalidDataException($"dtype {Dtype} is not an integer type"),
        };
        T[] Cast<T>() where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(Data).ToArray();
    }

    public static Array Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path}: not a .npy file");
        int major = bytes[6];
        int headerLength = major == 1 ? BitConverter.ToUInt16(bytes, 8) : BitConverter.ToInt32(bytes, 8);
        int headerStart = major == 1 ? 10 : 12;
        var header = Encoding.ASCII.GetString(bytes, headerStart, headerLength);
        var dtype = DescrPattern().Match(header).Groups[1].Value;
        if (header.Contains("'fortran_order': True")) throw new InvalidDataException($"{path}: Fortran order unsupported");
        var shape = ShapePattern().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        int dataStart = headerStart + headerLength;
        return new Array(dtype, shape, bytes[dataStart..]);
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
