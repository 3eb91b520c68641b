using QQQ.Formats.W4A8;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.W4A8;

public class WeightGridTests
{
    const int N = 48, K = 256;

    [Fact]
    public void Per_channel_codes_lie_on_the_grid_within_half_a_step_of_the_input()
    {
        var w = Numerics.RandomNonZero(new Random(1), N * K, 0.2f);

        var weights = RoundToNearest.Quantize(w, N, K, Granularity.PerChannel);

        for (int n = 0; n < N; n++)
        {
            var row = w.AsSpan(n * K, K);
            var scale = WeightGrid.ChannelScale(row);
            Assert.Equal((Half)(MaxAbs(row) / 7), scale);
            // s_channel = scale / 16 exactly, cancelling the kernel's 16 * code.
            Assert.Equal((float)scale, 16 * weights.ChannelScales[n]);
            for (int k = 0; k < K; k++)
            {
                int code = weights.Codes[n * K + k];
                Assert.InRange(code, -7, 7);
                Assert.True(Math.Abs(row[k] - WeightGrid.DequantizeChannel(code, scale)) <= (float)scale / 2 * (1 + 1e-6f));
            }
            Assert.Contains(weights.Codes.Slice(n * K, K).ToArray(), code => Math.Abs((int)code) == 7);
        }
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(128)]
    public void Per_group_codes_lie_on_the_grid_within_half_a_step_and_the_two_level_scales_reproduce_the_group_scale(int groupSize)
    {
        var w = Numerics.RandomNonZero(new Random(groupSize), N * K, 0.05f);
        // Give groups very different ranges, as real weights have.
        for (int i = 0; i < w.Length; i++) w[i] *= 1 + i / groupSize % 5;

        var weights = RoundToNearest.Quantize(w, N, K, Granularity.PerGroup(groupSize));

        int groups = K / groupSize;
        Assert.Equal(groups * N, weights.GroupScales.Length);
        for (int n = 0; n < N; n++)
        {
            float channelScale = weights.ChannelScales[n];
            float maxFakeQuantized = 0;
            for (int g = 0; g < groups; g++)
            {
                var values = w.AsSpan(n * K + g * groupSize, groupSize);
                var scale = WeightGrid.GroupScale(values);
                Assert.Equal((Half)(2 * MaxAbs(values) / 15), scale);
                for (int i = 0; i < groupSize; i++)
                {
                    int code = weights.Codes[n * K + g * groupSize + i];
                    Assert.InRange(code, 0, 15);
                    float dequantized = WeightGrid.DequantizeGroup(code, scale);
                    // +max sits at 7.5 steps and is clamped to +7, so the fp16 rounding of the scale (2^-11 relative)
                    // can push it past half a step by 7.5 * 2^-11 steps.
                    Assert.True(Math.Abs(values[i] - dequantized) <= (float)scale * (0.5f + 7.5f * MathF.ScaleB(1, -11)));
                    maxFakeQuantized = MathF.Max(maxFakeQuantized, MathF.Abs((float)(Half)dequantized));
                }
                // s_group * s_channel == scale up to the fp16 rounding of s_group (half an ulp: 2^-11 relative).
                float twoLevel = (float)weights.GroupScales[g * N + n] * channelScale;
                Assert.True(Math.Abs(twoLevel - (float)scale) <= (float)scale * (MathF.ScaleB(1, -11) + 1e-6f),
                    $"row {n} group {g}: {twoLevel} vs {scale}");
            }
            Assert.Equal(maxFakeQuantized / 127f, channelScale);
        }
        // The kernel's int8 weights never leave [-127, 127] and equal round((code - 8) * s_group).
        var int8 = KernelWeights.ToInt8(weights);
        for (int i = 0; i < int8.Length; i++)
        {
            double product = (weights.Codes[i] - 8) * (double)weights.GroupScales[i % K / groupSize * N + i / K];
            Assert.True(Math.Abs(product) <= 127.5);
            Assert.Equal((int)Math.Round(product, MidpointRounding.ToEven), int8[i]);
        }
    }

    [Fact]
    public void Zero_maps_to_the_zero_point_and_the_extremes_to_the_ends_of_the_grid()
    {
        var scale = (Half)0.125f;
        Assert.Equal(0, WeightGrid.QuantizeChannel(0f, scale));
        Assert.Equal(8, WeightGrid.QuantizeGroup(0f, scale));
        Assert.Equal(0f, WeightGrid.DequantizeGroup(8, scale));
        Assert.Equal(7, WeightGrid.QuantizeChannel(100f, scale));
        Assert.Equal(-7, WeightGrid.QuantizeChannel(-100f, scale));
        Assert.Equal(15, WeightGrid.QuantizeGroup(100f, scale));
        Assert.Equal(0, WeightGrid.QuantizeGroup(-100f, scale));
        // Per-group: the largest magnitude sits at 7.5 steps; ties go to even, so +max -> 8 (clamped to code 15 = +7)
        // and -max -> -8 (code 0).
        var group = new[] { 1.5f, -1.5f, 0.1f };
        var groupScale = WeightGrid.GroupScale(group);
        Assert.Equal((Half)0.2f, groupScale);
        Assert.Equal(15, WeightGrid.QuantizeGroup(1.5f, groupScale));
        Assert.Equal(0, WeightGrid.QuantizeGroup(-1.5f, groupScale));
        // Half-even: 2.5 steps -> 2, 3.5 steps -> 4.
        Assert.Equal(2, WeightGrid.QuantizeChannel(2.5f * 0.125f, scale));
        Assert.Equal(4, WeightGrid.QuantizeChannel(3.5f * 0.125f, scale));
    }

    [Fact]
    public void All_zero_rows_and_groups_get_the_reference_fallback_scale_and_a_zero_output()
    {
        var w = new float[64 * 128];
        w.AsSpan(128, 64).Fill(0.5f);  // row 1: first half non-zero, second half (one group of 64) zero

        Assert.Equal((Half)(1f / 7), WeightGrid.ChannelScale(w.AsSpan(0, 128)));
        Assert.Equal((Half)(2f / 15), WeightGrid.GroupScale(w.AsSpan(0, 128)));

        var weights = RoundToNearest.Quantize(w, 64, 128, Granularity.PerGroup(64));
        Assert.Equal(0f, weights.ChannelScales[0]);
        Assert.Equal(Half.Zero, weights.GroupScales[0]);       // row 0, group 0
        Assert.Equal(Half.Zero, weights.GroupScales[64 + 1]);  // row 1, group 1 (zero group in a non-zero row)
        Assert.True(weights.GroupScales[1] > Half.Zero);       // row 1, group 0

        var d = new W4A8Simulator(weights).Multiply(Enumerable.Repeat((sbyte)100, 128).ToArray(), [0.01f]);
        Assert.Equal(Half.Zero, d[0]);
        Assert.True(Half.IsFinite(d[1]) && d[1] > Half.Zero);
    }

    [Fact]
    public void Tiny_scales_stay_positive()
    {
        Assert.Equal(Half.Epsilon, WeightGrid.ChannelScale([1e-9f, -2e-9f]));
        Assert.Throws<ArgumentException>(() => WeightGrid.ChannelScale([float.NaN]));
        Assert.Throws<ArgumentException>(() => WeightGrid.GroupScale([1e6f]));
    }

    [Fact]
    public void Granularity_maps_to_and_from_the_checkpoint_group_size()
    {
        Assert.Same(Granularity.PerChannel, Granularity.FromConfigGroupSize(-1));
        Assert.Equal(Granularity.PerGroup(128), Granularity.FromConfigGroupSize(128));
        Assert.Equal(-1, Granularity.PerChannel.ConfigGroupSize);
        Assert.Equal(64, Granularity.PerGroup(64).ConfigGroupSize);
        Assert.Equal(4, Granularity.PerGroup(32).ScalesPerRow(128));
        Assert.Throws<ArgumentOutOfRangeException>(() => Granularity.PerGroup(48));
        Assert.Throws<ArgumentException>(() => Granularity.PerGroup(128).ScalesPerRow(192));
    }

    [Fact]
    public void Quantized_weights_reject_codes_off_the_grid()
    {
        Assert.Throws<ArgumentException>(() =>
            new QuantizedWeights(Granularity.PerGroup(32), 1, 32, [.. Enumerable.Repeat((sbyte)16, 32)], [1f], [Half.One]));
        Assert.Throws<ArgumentException>(() =>
            new QuantizedWeights(Granularity.PerChannel, 1, 32, [.. Enumerable.Repeat((sbyte)-9, 32)], [1f], []));
    }

    static float MaxAbs(ReadOnlySpan<float> values)
    {
        float max = 0;
        foreach (var v in values) max = MathF.Max(max, MathF.Abs(v));
        return max;
    }
}
