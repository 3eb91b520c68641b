using QQQ.Quantization.Gptq;
using static TorchSharp.torch;

namespace QQQ.Quantization.Tests.Gptq;

public class GptqQuantizerTests
{
    const int Rows = 24, Columns = 256, Tokens = 2048;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BlockedGptqMatchesTextbookFloat64Gptq(bool perGroup)
    {
        var (weight, activations, seed) = Problem();
        using var w = tensor(weight, [Rows, Columns]);
        using var x = tensor(activations, [Tokens, Columns]);
        using var accumulator = new HessianAccumulator(Columns);
        for (int start = 0; start < Tokens; start += 512) accumulator.Add(x.narrow(0, start, 512));
        using var h = accumulator.Snapshot();

        var quantizer = new GptqQuantizer(perGroup ? WeightGrid.Grouped : WeightGrid.PerChannel, groupSize: 128, blockSize: 32);
        using var result = quantizer.Quantize(w, h);
        var codes = result.Codes.data<float>().ToArray();

        var hessian = To2D(h.to_type(ScalarType.Float64).data<double>().ToArray(), Columns);
        var expected = NaiveGptq.Quantize(To2D(weight.Select(v => (double)v).ToArray(), Columns), hessian, perGroup, 128);
        int differing = 0;
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Columns; c++)
                if (codes[r * Columns + c] != expected[r, c]) differing++;
        // float32 vs float64 updates may flip a rounding decision that sits near a tie, and a flip
        // then moves later columns slightly; anything beyond a handful of codes is a real difference.
        Assert.True(differing <= Rows * Columns / 200, $"seed {seed}: {differing} of {Rows * Columns} codes differ");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GptqReconstructsOutputsBetterThanRoundToNearest(bool perGroup)
    {
        var (weight, activations, seed) = Problem();
        using var w = tensor(weight, [Rows, Columns]);
        using var x = tensor(activations, [Tokens, Columns]);
        using var accumulator = new HessianAccumulator(Columns);
        accumulator.Add(x);
        using var h = accumulator.Snapshot();
        var grid = perGroup ? WeightGrid.Grouped : WeightGrid.PerChannel;
        using var result = new GptqQuantizer(grid, 128).Quantize(w, h);

        // Codes lie on the grid and map back to the fake-quantized weights.
        var codes = result.Codes.data<float>().ToArray();
        Assert.All(codes, c => Assert.True(c == MathF.Round(c) && (perGroup ? c is >= 0 and <= 15 : c is >= -7 and <= 7)));

        using var rtn = perGroup
            ? cat(Enumerable.Range(0, Columns / 128).Select(g =>
                { var part = w.narrow(1, g * 128, 128); return grid.FakeQuantize(part, grid.Scales(part)); }).ToArray(), 1)
            : grid.FakeQuantize(w, grid.Scales(w));
        using var exact = matmul(x, w.t());
        double gptqError = (matmul(x, result.FakeQuantized.t()) - exact).square().sum().item<float>();
        double rtnError = (matmul(x, rtn.t()) - exact).square().sum().item<float>();
        Assert.True(gptqError < 0.8 * rtnError, $"seed {seed}: GPTQ output error {gptqError} vs RTN {rtnError}");
    }

    [Fact]
    public void DeadInputColumnsAreZeroed()
    {
        var (weight, activations, _) = Problem();
        for (int t = 0; t < Tokens; t++) activations[t * Columns + 5] = 0;
        using var w = tensor(weight, [Rows, Columns]);
        using var x = tensor(activations, [Tokens, Columns]);
        using var accumulator = new HessianAccumulator(Columns);
        accumulator.Add(x);
        using var h = accumulator.Snapshot();
        using var result = new GptqQuantizer(WeightGrid.PerChannel, 0).Quantize(w, h);
        var q = result.FakeQuantized.data<float>().ToArray();
        for (int r = 0; r < Rows; r++) Assert.Equal(0f, q[r * Columns + 5]);
    }

    /// <summary>Random weights and correlated activations (x = z A, with a few loud channels).</summary>
    static (float[] Weight, float[] Activations, int Seed) Problem()
    {
        int seed = Random.Shared.Next();
        var random = new Random(seed);
        var weight = QQQ.TestSupport.Numerics.RandomNonZero(random, Rows * Columns);
        var z = QQQ.TestSupport.Numerics.RandomNonZero(random, Tokens * 32);
        var mix = QQQ.TestSupport.Numerics.RandomNonZero(random, 32 * Columns);
        var x = new float[Tokens * Columns];
        for (int t = 0; t < Tokens; t++)
            for (int c = 0; c < Columns; c++)
            {
                float s = 0.1f * (float)(random.NextDouble() - 0.5);
                for (int p = 0; p < 32; p++) s += z[t * 32 + p] * mix[p * Columns + c];
                x[t * Columns + c] = c % 37 == 0 ? 8 * s : s;
            }
        return (weight, x, seed);
    }

    static double[,] To2D(double[] flat, int columns)
    {
        var result = new double[flat.Length / columns, columns];
        for (int i = 0; i < flat.Length; i++) result[i / columns, i % columns] = flat[i];
        return result;
    }
}
