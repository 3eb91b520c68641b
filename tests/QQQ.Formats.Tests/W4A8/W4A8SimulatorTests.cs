using QQQ.Formats.W4A8;
using QQQ.TestSupport;
using Xunit.Abstractions;

namespace QQQ.Formats.Tests.W4A8;

public class W4A8SimulatorTests(ITestOutputHelper output)
{
    [Theory]
    [Trait("Category", "ReferenceVectors")]
    [MemberData(nameof(ReferenceVectors.FileNamesAndTokenCounts), MemberType = typeof(ReferenceVectors))]
    public void Simulation_of_the_packed_reference_weights_reproduces_the_kernel_output(string fileName, int m)
    {
        var vectors = ReferenceVectors.Load(fileName);
        var weights = ReferenceLayout.Unpack(ReferenceLayoutTests.ReferencePacked(vectors));

        var d = new W4A8Simulator(weights).Multiply(vectors.Int8($"xq_m{m}"), vectors.Float32($"s_tok_m{m}"));

        var expected = vectors.Float16($"d_m{m}");
        Assert.Equal(expected.Length, d.Length);
        int notBitExact = 0, maxUlp = 0;
        for (int i = 0; i < d.Length; i++)
        {
            int ulp = BitPatterns.UlpDistance(d[i], expected[i]);
            if (ulp != 0) notBitExact++;
            maxUlp = Math.Max(maxUlp, ulp);
        }
        output.WriteLine($"{fileName} M={m}: {d.Length - notBitExact}/{d.Length} bit-exact, max {maxUlp} ulp");
        Assert.True(notBitExact == 0, $"{notBitExact} of {d.Length} outputs differ from the kernel's (max {maxUlp} fp16 ulp)");
    }

    [Theory]
    [Trait("Category", "ReferenceVectors")]
    [MemberData(nameof(ReferenceVectors.FileNamesAndTokenCounts), MemberType = typeof(ReferenceVectors))]
    public void Quantize_then_simulate_has_the_relative_error_against_float64_that_the_summary_states(string fileName, int m)
    {
        var vectors = ReferenceVectors.Load(fileName);
        int n = vectors.OutFeatures, k = vectors.InFeatures;
        var x = vectors.Float16($"x_m{m}");
        var quantized = new sbyte[x.Length];
        var tokenScales = new float[m];
        PerTokenQuantization.Quantize(x, m, quantized, tokenScales);

        var d = new W4A8Simulator(ReferenceLayoutTests.FromFakeQuantized(vectors)).Multiply(quantized, tokenScales);

        var w = vectors.Float16("w_fakequant");
        var exact = new double[m * n];
        for (int row = 0; row < m; row++)
            for (int col = 0; col < n; col++)
            {
                double sum = 0;
                for (int i = 0; i < k; i++) sum += (double)x[row * k + i] * (double)w[col * k + i];
                exact[row * n + col] = sum;
            }
        double error = Numerics.RelativeError(d.Select(v => (float)v).ToArray(), exact);
        double stated = vectors.SummaryRelativeError(m);
        Assert.InRange(stated, 0.005, 0.02);
        Assert.InRange(error, stated * (1 - 1e-6), stated * (1 + 1e-6));
    }

    [Fact]
    public void Zero_token_scale_gives_a_zero_row()
    {
        var weights = RoundToNearest.Quantize(Numerics.RandomNonZero(new Random(5), 64 * 128), 64, 128, Granularity.PerGroup(128));
        var activations = new sbyte[2 * 128];
        activations.AsSpan(128).Fill(3);

        var d = new W4A8Simulator(weights).Multiply(activations, [0f, 0.01f]);

        Assert.All(d.Take(64), v => Assert.Equal(Half.Zero, v));
        Assert.Contains(d.Skip(64), v => v != Half.Zero);
    }

    [Fact]
    public void Mismatched_buffers_are_rejected()
    {
        var simulator = new W4A8Simulator(RoundToNearest.Quantize(Numerics.RandomNonZero(new Random(5), 64 * 128), 64, 128, Granularity.PerChannel));
        Assert.Throws<ArgumentException>(() => simulator.Multiply(new sbyte[127], [1f]));
        Assert.Throws<ArgumentException>(() => simulator.Multiply(new sbyte[128], [1f], new Half[63]));
    }
}
