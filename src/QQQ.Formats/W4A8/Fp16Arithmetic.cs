namespace QQQ.Formats.W4A8;

/// <summary>
/// Exact emulation of the GPU's fp16 arithmetic (<c>__hfma2</c>, <c>__hsub2</c>): the exact result of the real-number
/// operation, rounded once to fp16 with round-half-to-even.
/// </summary>
internal static class Fp16Arithmetic
{
    // Every finite fp16 value is an integer multiple of 2^-24 (the smallest subnormal); a product of two is a
    // multiple of 2^-48. Working in units of 2^-48 keeps a * b + c exact: |a * b| < 2^80 units, |c| < 2^64 units.
    const int UnitExponent = -48;
    const int SubnormalQuantumShift = 24;  // 2^-24 = 2^24 units: fp16's spacing below 2^-14
    const int SignificandBits = 11;

    /// <summary><c>fp16(a * b + c)</c> with one rounding, as an fp16 fused multiply-add computes it.</summary>
    public static Half FusedMultiplyAdd(Half a, Half b, Half c)
    {
        if (!Half.IsFinite(a) || !Half.IsFinite(b) || !Half.IsFinite(c))
            return (Half)((double)a * (double)b + (double)c);  // infinities and NaN propagate as in IEEE 754
        Int128 product = (Int128)Units(a) * Units(b);
        Int128 sum = product + ((Int128)Units(c) << SubnormalQuantumShift);
        if (sum == 0)
        {
            // An exact zero sum is +0 under round-to-nearest, except -0 + -0 (both addends are zeros then).
            bool productNegative = Half.IsNegative(a) != Half.IsNegative(b);
            return productNegative && Half.IsNegative(c) ? Half.NegativeZero : Half.Zero;
        }
        return RoundToHalf(sum);
    }

    /// <summary><c>fp16(a - b)</c> with one rounding, as an fp16 subtraction computes it.</summary>
    public static Half Subtract(Half a, Half b) => FusedMultiplyAdd(b, Half.NegativeOne, a);

    // A finite fp16 value as a signed count of 2^-24.
    static long Units(Half value)
    {
        ushort bits = BitConverter.HalfToUInt16Bits(value);
        int exponent = (bits >> 10) & 0x1F;
        long significand = bits & 0x3FF;
        if (exponent != 0) significand |= 0x400;
        long magnitude = significand << (Math.Max(exponent, 1) - 1);
        return (bits & 0x8000) != 0 ? -magnitude : magnitude;
    }

    // Rounds value = units * 2^-48 (non-zero) to the nearest fp16, ties to even; overflow gives infinity.
    static Half RoundToHalf(Int128 units)
    {
        bool negative = units < 0;
        var magnitude = (UInt128)(negative ? -units : units);
        int bitLength = 128 - (int)UInt128.LeadingZeroCount(magnitude);
        int shift = Math.Max(bitLength - SignificandBits, SubnormalQuantumShift);
        var kept = magnitude >> shift;
        var remainder = magnitude - (kept << shift);
        var half = UInt128.One << (shift - 1);
        if (remainder > half || (remainder == half && (kept & 1) == 1))
            kept++;
        // kept <= 2^11, so the double is exact and converts to fp16 exactly (or to infinity past 65504).
        double value = Math.ScaleB((double)kept, shift + UnitExponent);
        return (Half)(negative ? -value : value);
    }
}
