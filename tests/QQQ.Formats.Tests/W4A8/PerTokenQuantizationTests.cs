using QQQ.Formats.W4A8;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.W4A8;

public class PerTokenQuantizationTests
{
    [Theory]
    [Trait("Category", "ReferenceVectors")]
    [MemberData(nameof(ReferenceVectors.FileNamesAndTokenCounts), MemberType = typeof(ReferenceVectors))]
    public void Quantize_reproduces_the_reference_int8_activations_and_scales(string fileName, int m)
    {
        var vectors = ReferenceVectors.Load(fileName);
        var x = vectors.Float16($"x_m{m}");
        var quantized = new sbyte[x.Length];
        var scales = new float[m];

        PerTokenQuantization.Quantize(x, m, quantized, scales);

        Assert.Equal(vectors.Int8($"xq_m{m}"), quantized);
        Assert.Equal(BitPatterns.Bits(vectors.Float32($"s_tok_m{m}")), BitPatterns.Bits(scales));
    }

    [Fact]
    public void Scale_is_rounded_to_fp16_before_the_division()
    {
        // 1000/127 = 7.87402 rounds to the fp16 value 7.875; 1000 / 7.875 = 126.98 -> 127, -500 / 7.875 = -63.49 -> -63.
        var row = new[] { (Half)1000, (Half)(-500), Half.Zero };
        var quantized = new sbyte[3];

        Assert.Equal(7.875f, PerTokenQuantization.QuantizeRow(row, quantized));
        Assert.Equal(new sbyte[] { 127, -63, 0 }, quantized);
    }

    [Fact]
    public void Quotients_past_the_int8_range_are_clamped_to_127_and_minus_128()
    {
        // A subnormal scale is coarse: max|x| = 305 * 2^-24 gives fp16(2.4 * 2^-24) = 2 * 2^-24, so |x| / s_tok = 152.5.
        var tiny = BitConverter.UInt16BitsToHalf(305);
        var quantized = new sbyte[2];

        Assert.Equal(MathF.ScaleB(2, -24), PerTokenQuantization.QuantizeRow([tiny, -tiny], quantized));
        Assert.Equal(new sbyte[] { 127, -128 }, quantized);
    }

    [Fact]
    public void An_all_zero_token_gets_zero_scale_and_zero_codes()
    {
        var x = new Half[] { Half.Zero, Half.NegativeZero, Half.Zero, (Half)1, (Half)(-2), (Half)0.5 };
        var quantized = new sbyte[6];
        var scales = new float[2];

        PerTokenQuantization.Quantize(x, 2, quantized, scales);

        Assert.Equal(0f, scales[0]);
        Assert.Equal(new sbyte[] { 0, 0, 0, 64, -127, 32 }, quantized);
    }

    [Fact]
    public void Mismatched_buffers_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => PerTokenQuantization.Quantize(new Half[6], 4, new sbyte[6], new float[4]));
        Assert.Throws<ArgumentException>(() => PerTokenQuantization.Quantize(new Half[6], 2, new sbyte[5], new float[2]));
        Assert.Throws<ArgumentException>(() => PerTokenQuantization.Quantize(new Half[6], 2, new sbyte[6], new float[3]));
    }
}
