using System.Text;

namespace QQQ.Formats.Tests.Support;

/// <summary>
/// Builds safetensors bytes by hand (length prefix + the given header text + data), so tests can make
/// files the writer would refuse to produce and can check the writer against an independent encoding.
/// </summary>
public static class RawSafetensors
{
    public static byte[] Build(string headerJson, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(headerJson);
        var bytes = new byte[8 + header.Length + data.Length];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    public static byte[] Build(string headerJson, int dataLength) => Build(headerJson, new byte[dataLength]);
}
