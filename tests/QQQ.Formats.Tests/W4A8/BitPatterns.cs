namespace QQQ.Formats.Tests.W4A8;

/// <summary>Bit patterns of floating-point arrays, for bit-exact comparisons (NaN payloads and -0 included).</summary>
internal static class BitPatterns
{
    public static uint[] Bits(float[] values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();

    public static ushort[] Bits(Half[] values) => values.Select(BitConverter.HalfToUInt16Bits).ToArray();

    /// <summary>Distance in fp16 units in the last place between two finite values of the same sign (or zeros).</summary>
    public static int UlpDistance(Half a, Half b)
    {
        static int Ordered(Half h)
        {
            int bits = BitConverter.HalfToUInt16Bits(h);
            return (bits & 0x8000) != 0 ? -(bits & 0x7FFF) : bits;
        }
        return Math.Abs(Ordered(a) - Ordered(b));
    }
}
