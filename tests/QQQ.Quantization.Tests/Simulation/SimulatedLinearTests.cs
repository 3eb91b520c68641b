using QQQ.Formats.W4A8;
using QQQ.Quantization.Simulation;
using QQQ.TestSupport;
using static TorchSharp.torch;

namespace QQQ.Quantization.Tests.Simulation;

public class SimulatedLinearTests
{
    /// <summary>The TorchSharp simulation reproduces the reference CUDA kernel's outputs bit for bit.</summary>
    [Theory]
    [Trait("Category", "ReferenceVectors")]
    [MemberData(nameof(ReferenceVectors.FileNamesAndTokenCounts), MemberType = typeof(ReferenceVectors))]
    public void ReproducesReferenceKernelOutputs(string fileName, int m)
    {
        var vectors = ReferenceVectors.Load(fileName);
        var packed = new ReferencePackedWeights(vectors.OutFeatures, vectors.InFeatures, vectors.Int32("B"), vectors.Float32("s_channel"),
            vectors.GroupSize > 0 ? vectors.Float16("s_group") : []);
        using var linear = new SimulatedLinear(ReferenceLayout.Unpack(packed));
        using var quantized = tensor(vectors.Int8($"xq_m{m}").Select(v => (float)v).ToArray(), [m, vectors.InFeatures]);
        using var tokenScales = tensor(vectors.Float32($"s_tok_m{m}"), [m, 1]);
        using var output = linear.MultiplyQuantized(quantized, tokenScales);
        var expected = vectors.Float16($"d_m{m}").Select(h => (float)h).ToArray();
        Assert.Equal(expected, output.data<float>().ToArray());
    }

    /// <summary>On fresh fp32 activations the simulation equals the managed scalar simulator (an independent implementation).</summary>
    [Theory]
    [InlineData(0, 256)]
    [InlineData(128, 2176)]
    [InlineData(32, 96)]
    public void MatchesManagedSimulatorOnRandomActivations(int groupSize, int k)
    {
        int seed = Random.Shared.Next();
        var random = new Random(seed);
        const int n = 40, m = 9;
        var granularity = Granularity.FromConfigGroupSize(groupSize == 0 ? -1 : groupSize);
        var weights = RoundToNearest.Quantize(Numerics.RandomNonZero(random, n * k), n, k, granularity);
        var x = Numerics.RandomNonZero(random, m * k, 3f);
        for (int j = 0; j < k; j += 17) x[j] = 0;   // a few zeros inside rows

        using var linear = new SimulatedLinear(weights);
        using var input = tensor(x, [m, k]);
        using var output = linear.Forward(input);

        var (quantized, scales) = SimulatedLinear.QuantizePerToken(input);
        var xq = quantized.data<float>().Select(v => (sbyte)v).ToArray();
        var expected = new W4A8Simulator(weights).Multiply(xq, scales.data<float>().ToArray()).Select(h => (float)h).ToArray();
        Assert.True(expected.SequenceEqual(output.data<float>().ToArray()), $"seed {seed}");
        quantized.Dispose();
        scales.Dispose();
    }

    [Fact]
    public void PerTokenQuantizationFollowsTheMethodRule()
    {
        int seed = Random.Shared.Next();
        var x = Numerics.RandomNonZero(new Random(seed), 5 * 64, 10f);
        for (int j = 0; j < 64; j++) x[2 * 64 + j] = 0;   // an all-zero token
        using var rows = tensor(x, [5, 64]);
        var (quantized, scales) = SimulatedLinear.QuantizePerToken(rows);
        var q = quantized.data<float>().ToArray();
        var s = scales.data<float>().ToArray();
        for (int r = 0; r < 5; r++)
        {
            float max = 0;
            for (int j = 0; j < 64; j++) max = MathF.Max(max, MathF.Abs(x[r * 64 + j]));
            Assert.Equal(max / 127f, s[r]);
            for (int j = 0; j < 64; j++)
            {
                float expected = max == 0 ? 0 : Math.Clamp(MathF.Round(x[r * 64 + j] / (max / 127f), MidpointRounding.ToEven), -128, 127);
                Assert.Equal(expected, q[r * 64 + j]);
            }
        }
        quantized.Dispose();
        scales.Dispose();
    }
}
