using QQQ.Formats.W4A8;

namespace QQQ.Formats.Tests.W4A8;

public class KernelWeightsTests
{
    [Fact]
    public void Per_channel_int8_is_sixteen_times_the_signed_code()
    {
        for (int code = -8; code <= 7; code++)
            Assert.Equal(16 * code, KernelWeights.PerChannelInt8(code));
    }

    [Fact]
    public void Per_group_magic_number_dequant_is_round_half_even_of_the_exact_product_for_every_fp16_scale()
    {
        // Every positive finite fp16 scale and every code with -128 <= product and round(product) <= 127: there
        // 1152 + product rounds into [1024, 2048), where fp16's spacing is 1 and the low byte holds the int8.
        for (int bits = 1; bits < 0x7C00; bits++)
        {
            var scale = BitConverter.UInt16BitsToHalf((ushort)bits);
            for (int code = 0; code <= 15; code++)
            {
                double product = (code - 8) * (double)scale;
                var expected = Math.Round(product, MidpointRounding.ToEven);
                if (product < -128 || expected > 127) continue;
                Assert.True(expected == KernelWeights.PerGroupInt8(code, scale), $"code {code}, scale {scale}: expected {expected}");
            }
        }
    }

    [Fact]
    public void Per_group_ties_round_to_even()
    {
        var half = (Half)0.5f;
        Assert.Equal(0, KernelWeights.PerGroupInt8(9, half));    // 0.5 -> 0
        Assert.Equal(2, KernelWeights.PerGroupInt8(11, half));   // 1.5 -> 2
        Assert.Equal(-2, KernelWeights.PerGroupInt8(5, half));   // -1.5 -> -2
        Assert.Equal(-4, KernelWeights.PerGroupInt8(1, half));   // -3.5 -> -4
    }

    [Fact]
    public void ToInt8_uses_the_group_scale_of_each_element()
    {
        const int n = 64, k = 64;
        var codes = Enumerable.Range(0, n * k).Select(i => (sbyte)(i % 16)).ToArray();
        var groupScales = Enumerable.Range(0, 2 * n).Select(i => (Half)(1 + i % 7)).ToArray();  // (K/32, N)
        var weights = new QuantizedWeights(Granularity.PerGroup(32), n, k, codes, new float[n], groupScales);

        var int8 = KernelWeights.ToInt8(weights);

        for (int i = 0; i < int8.Length; i++)
        {
            int row = i / k, group = i % k / 32;
            Assert.Equal(KernelWeights.PerGroupInt8(codes[i], groupScales[group * n + row]), int8[i]);
        }
    }
}
