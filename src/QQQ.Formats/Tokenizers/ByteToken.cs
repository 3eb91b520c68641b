namespace QQQ.Formats.Tokenizers;

/// <summary>Byte-fallback pieces: <c>&lt;0xXX&gt;</c> stands for the raw byte 0xXX.</summary>
internal static class ByteToken
{
    /// <summary>Parses a piece of exactly the form <c>&lt;0xHH&gt;</c> (two hex digits).</summary>
    public static bool TryParse(ReadOnlySpan<char> piece, out byte value)
    {
        value = 0;
        if (piece.Length != 6 || piece[0] != '<' || piece[1] != '0' || piece[2] != 'x' || piece[5] != '>')
            return false;
        int high = HexDigit(piece[3]), low = HexDigit(piece[4]);
        if (high < 0 || low < 0) return false;
        value = (byte)(high * 16 + low);
        return true;
    }

    /// <summary>The piece text of the byte token for <paramref name="value"/>, e.g. <c>&lt;0x0A&gt;</c>.</summary>
    public static string Name(byte value) => $"<0x{value:X2}>";

    static int HexDigit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };
}
