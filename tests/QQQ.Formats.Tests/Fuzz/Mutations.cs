using System.Text;

namespace QQQ.Formats.Tests.Fuzz;

/// <summary>Seeded byte-, text- and number-level mutations for fuzz inputs.</summary>
public static class Mutations
{
    /// <summary>Numbers that tend to break size arithmetic, as JSON text.</summary>
    static readonly string[] NastyNumbers =
    [
        "0", "1", "-1", "2", "7", "8", "16", "255", "-2147483648", "2147483647", "2147483648", "4294967296",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "18446744073709551615",
        "99999999999999999999999", "1e3", "1.5", "-0", "1e400", "null", "\"3\"", "[]", "{}", "true",
    ];

    static readonly string[] DTypeNames = ["F32", "F16", "BF16", "F64", "I8", "U8", "I16", "U16", "I32", "U32", "I64", "U64", "BOOL", "F8_E4M3", "f32", "", "Q4"];

    const string JsonAlphabet = "{}[]\",:0123456789-.eE aZ\\u\n\t\u00e9\ud800";

    public static int NastyInt(Random random) => random.Next(10) switch
    {
        0 => 0,
        1 => -1,
        2 => int.MaxValue,
        3 => int.MinValue,
        4 => 1 << 30,
        5 => random.Next(),
        6 => -random.Next(),
        _ => random.Next(1, 65),
    };

    /// <summary>A copy with 1-4 random bits flipped in bytes [start, end).</summary>
    public static byte[] FlipBits(Random random, byte[] original, int start, int end)
    {
        var bytes = (byte[])original.Clone();
        for (int n = random.Next(1, 5); n > 0; n--) bytes[random.Next(start, end)] ^= (byte)(1 << random.Next(8));
        return bytes;
    }

    public static byte[] Truncate(Random random, byte[] bytes) => bytes[..random.Next(bytes.Length)];

    /// <summary>Edits JSON text: numbers swapped for nasty ones, characters deleted, inserted or duplicated, dtype names replaced.</summary>
    public static string MutateJsonText(Random random, string json)
    {
        var text = new StringBuilder(json);
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits && text.Length > 0; e++)
        {
            int at = random.Next(text.Length);
            switch (random.Next(5))
            {
                case 0:
                    ReplaceNumberAt(random, text, at);
                    break;
                case 1:
                    text.Remove(at, Math.Min(random.Next(1, 4), text.Length - at));
                    break;
                case 2:
                    text.Insert(at, JsonAlphabet[random.Next(JsonAlphabet.Length)]);
                    break;
                case 3:
                    int length = Math.Min(random.Next(1, 40), text.Length - at);
                    text.Insert(at, text.ToString(at, length));
                    break;
                default:
                    var current = text.ToString();
                    var dtype = DTypeNames.FirstOrDefault(d => d.Length > 0 && current.Contains($"\"{d}\""));
                    if (dtype != null) text.Replace($"\"{dtype}\"", $"\"{DTypeNames[random.Next(DTypeNames.Length)]}\"");
                    break;
            }
        }
        return text.ToString();
    }

    /// <summary>Replaces the run of digits nearest after <paramref name="at"/> with a nasty number.</summary>
    static void ReplaceNumberAt(Random random, StringBuilder text, int at)
    {
        int start = at;
        while (start < text.Length && !char.IsAsciiDigit(text[start])) start++;
        if (start == text.Length) return;
        int end = start;
        while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
        text.Remove(start, end - start).Insert(start, NastyNumbers[random.Next(NastyNumbers.Length)]);
    }

    /// <summary>A nasty JSON value to drop into a structured field.</summary>
    public static string NastyJsonValue(Random random) => NastyNumbers[random.Next(NastyNumbers.Length)];
}
