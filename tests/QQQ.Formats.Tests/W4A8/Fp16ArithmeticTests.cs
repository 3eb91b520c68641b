using QQQ.Formats.W4A8;

namespace QQQ.Formats.Tests.W4A8;

public class Fp16ArithmeticTests
{
    [Fact]
    public void Fma_rounds_once_where_a_product_rounded_first_would_round_twice()
    {
        // (1 + 2^-10) * (1 + 2^-10) = 1 + 2^-9 + 2^-20: rounded to fp16 first it loses the 2^-20, and
        // 1 + 2^-9 + 2^-20 - (1 + 2^-9) would be 0; fused it keeps 2^-20.
        var a = (Half)(1 + MathF.ScaleB(1, -10));
        var c = (Half)(-(1 + MathF.ScaleB(1, -9)));
        Assert.Equal((Half)MathF.ScaleB(1, -20), Fp16Arithmetic.FusedMultiplyAdd(a, a, c));
    }

    [Fact]
    public void Fma_matches_a_single_rounding_of_the_exact_value_on_random_operands()
    {
        // For operands within a few binades the double result is exact, so one conversion to fp16 is the reference.
        var random = new Random(42);
        for (int i = 0; i < 200_000; i++)
        {
            Half a = RandomHalf(random), b = RandomHalf(random), c = RandomHalf(random);
            var exact = (double)a * (double)b + (double)c;
            Assert.Equal((Half)exact, Fp16Arithmetic.FusedMultiplyAdd(a, b, c));
        }
    }

    [Fact]
    public void Fma_handles_subnormals_overflow_zero_signs_and_nan()
    {
        var tiny = BitConverter.UInt16BitsToHalf(1);  // 2^-24
        Assert.Equal(BitConverter.UInt16BitsToHalf(2), Fp16Arithmetic.FusedMultiplyAdd(tiny, (Half)1.5f, Half.Zero));  // 1.5 -> 2 (even)
        Assert.Equal(BitConverter.UInt16BitsToHalf(2), Fp16Arithmetic.FusedMultiplyAdd(tiny, (Half)2.5f, Half.Zero));  // 2.5 -> 2 (even)
        Assert.Equal(Half.PositiveInfinity, Fp16Arithmetic.FusedMultiplyAdd((Half)256, (Half)256, Half.Zero));
        Assert.Equal(Half.MaxValue, Fp16Arithmetic.FusedMultiplyAdd(Half.MaxValue, Half.One, (Half)15));  // 65519 -> 65504
        Assert.Equal(Half.PositiveInfinity, Fp16Arithmetic.FusedMultiplyAdd(Half.MaxValue, Half.One, (Half)16));  // 65520 -> inf
        Assert.Equal(0x0000, BitConverter.HalfToUInt16Bits(Fp16Arithmetic.FusedMultiplyAdd((Half)2, (Half)3, (Half)(-6))));
        Assert.Equal(0x8000, BitConverter.HalfToUInt16Bits(Fp16Arithmetic.FusedMultiplyAdd(Half.NegativeZero, Half.One, Half.NegativeZero)));
        Assert.True(Half.IsNaN(Fp16Arithmetic.FusedMultiplyAdd(Half.PositiveInfinity, Half.Zero, Half.One)));
        Assert.Equal((Half)(-8), Fp16Arithmetic.Subtract((Half)1024, (Half)1032));
    }

    static Half RandomHalf(Random random)
    {
        // Exponents 2^-6 .. 2^6, either sign: products and sums stay far inside double's exact range.
        float value = (float)(random.NextDouble() + 1) * MathF.ScaleB(1, random.Next(-6, 7)) * (random.Next(2) == 0 ? -1 : 1);
        return (Half)value;
    }
}
