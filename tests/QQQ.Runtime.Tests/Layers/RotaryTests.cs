using ILGPU.Runtime;
using QQQ.Runtime.Kernels.Layers;
using QQQ.TestSupport;
using static TorchSharp.torch;
using TorchRotary = QQQ.Quantization.Reference.RotaryEmbedding;

namespace QQQ.Runtime.Tests.Layers;

[Collection(LayersCollection.Name)]
public class RotaryTests(LayersFixture fixture)
{
    const float Theta = 10000f;

    public static TheoryData<Formulation, int, int, int, int, RopeConvention> Cases() => Formulations.Cross(
        (1, 3, 1, 8, RopeConvention.RotateHalf),
        (5, 3, 1, 24, RopeConvention.RotateHalf),
        (17, 4, 2, 8, RopeConvention.RotateHalf),
        (1, 3, 1, 24, RopeConvention.AdjacentPairs),
        (17, 3, 1, 8, RopeConvention.AdjacentPairs));

    [Theory]
    [MemberData(nameof(Cases))]
    public void KernelMatchesReference(Formulation formulation, int rows, int heads, int kvHeads, int headDim, RopeConvention convention)
    {
        var target = fixture[formulation];
        var shape = new AttentionShape(heads, kvHeads, headDim);
        const int start = 3;
        var random = new Random();
        var q = HalfData.RandomNonZero(random, rows * shape.QueryWidth, 2f);
        var k = HalfData.RandomNonZero(random, rows * shape.KeyValueWidth, 2f);
        using var tables = new RotaryTables(target.Accelerator, 40, headDim, Theta);
        using var qBuffer = target.Upload(q);
        using var kBuffer = target.Upload(k);

        target.Kernels.Rotary.Apply(qBuffer.View, kBuffer.View, rows, start, shape, tables, convention);

        var (cos, sin) = RotaryTables.Compute(40, headDim, Theta);
        var expectedQ = new double[q.Length];
        var expectedK = new double[k.Length];
        RotaryKernel.Reference(HalfData.ToFloat(q), heads, headDim, start, cos, sin, convention, expectedQ);
        RotaryKernel.Reference(HalfData.ToFloat(k), kvHeads, headDim, start, cos, sin, convention, expectedK);
        // The kernel rounds its fp32 result to fp16 (relative step 2^-11).
        Assert.True(Numerics.RelativeError(HalfData.ToFloat(qBuffer.GetAsArray1D()), expectedQ) < 1e-3);
        Assert.True(Numerics.RelativeError(HalfData.ToFloat(kBuffer.GetAsArray1D()), expectedK) < 1e-3);
    }

    /// <summary>
    /// The fp16 outputs are the fp32 rotation rounded to nearest even, bit for bit (CUDA rounds so; ILGPU's own
    /// float->Half on the CPU accelerator truncates, which once made CPU and CUDA generate different text).
    /// </summary>
    [Fact]
    public void OutputsAreFloat32RotationRoundedToNearestEven()
    {
        var shape = new AttentionShape(2, 2, 16);
        const int rows = 6, start = 1;
        var random = new Random();
        var q = HalfData.RandomNonZero(random, rows * shape.QueryWidth, 2f);
        var k = HalfData.RandomNonZero(random, rows * shape.KeyValueWidth, 2f);
        using var tables = new RotaryTables(fixture.Accelerator, 16, 16, Theta);
        using var qBuffer = fixture.Upload(q);
        using var kBuffer = fixture.Upload(k);
        fixture.Kernels.Rotary.Apply(qBuffer.View, kBuffer.View, rows, start, shape, tables, RopeConvention.RotateHalf);

        var (cos, sin) = RotaryTables.Compute(16, 16, Theta);
        var x = HalfData.ToFloat(q);
        var actual = HalfData.ToFloat(qBuffer.GetAsArray1D());
        for (int r = 0; r < rows; r++)
            for (int h = 0; h < 2; h++)
                for (int i = 0; i < 8; i++)
                {
                    int o = r * 32 + h * 16;
                    float c = cos[(start + r) * 8 + i], s = sin[(start + r) * 8 + i];
                    float x0 = x[o + i], x1 = x[o + i + 8];
                    Assert.Equal((float)(System.Half)(x0 * c - x1 * s), actual[o + i]);
                    Assert.Equal((float)(System.Half)(x1 * c + x0 * s), actual[o + i + 8]);
                }
    }

    [Theory]
    [InlineData(64, 10000f)]
    [InlineData(128, 500000f)]
    [InlineData(8, 10000f)]
    public void TablesMatchTorchSharpFloat32Tables(int headDim, float theta)
    {
        const int positions = 4096;
        var (cos, sin) = RotaryTables.Compute(positions, headDim, theta);
        var (torchCos, torchSin) = TorchRotary.Tables(positions, headDim, theta);
        using (torchCos)
        using (torchSin)
        {
            var tc = torchCos.data<float>().ToArray();
            var ts = torchSin.data<float>().ToArray();
            int half = headDim / 2;
            double worst = 0;
            for (int p = 0; p < positions; p++)
                for (int i = 0; i < half; i++)
                    foreach (int column in new[] { i, i + half })   // torch repeats the d/2 angles in both halves
                    {
                        worst = Math.Max(worst, Math.Abs(cos[p * half + i] - tc[p * headDim + column]));
                        worst = Math.Max(worst, Math.Abs(sin[p * half + i] - ts[p * headDim + column]));
                    }
            // Same fp32 inv_freq and angles; cos/sin of libm vs libtorch may differ in the last bit:
            // at most one ulp of a value in [0.5, 1), 2^-24 (measured: exactly that).
            Assert.True(worst <= Math.ScaleB(1, -24), $"largest table difference {worst:R}");
        }
    }

    [Theory]
    [InlineData(RopeConvention.RotateHalf)]
    [InlineData(RopeConvention.AdjacentPairs)]
    public void ReferenceMatchesTorchSharpRotateHalf(RopeConvention convention)
    {
        const int rows = 5, heads = 3, headDim = 24, start = 7;
        int half = headDim / 2;
        var x = Numerics.RandomNonZero(new Random(), rows * heads * headDim, 2f);
        var (cos, sin) = RotaryTables.Compute(start + rows, headDim, Theta);
        var actual = new double[x.Length];
        RotaryKernel.Reference(x, heads, headDim, start, cos, sin, convention, actual);

        // Adjacent pairs (x[2i], x[2i+1]) become rotate-half pairs (x[i], x[i + d/2]) after the
        // llama2.c -> HF permutation of each head's dims; the torch reference only knows rotate-half.
        int Permuted(int d) => convention == RopeConvention.RotateHalf ? d : d < half ? 2 * d : 2 * (d - half) + 1;
        var torchInput = new float[x.Length];      // (1, heads, rows, head_dim)
        for (int r = 0; r < rows; r++)
            for (int h = 0; h < heads; h++)
                for (int d = 0; d < headDim; d++)
                    torchInput[(h * rows + r) * headDim + d] = x[(r * heads + h) * headDim + Permuted(d)];
        var (torchCos, torchSin) = TorchRotary.Tables(rows, headDim, Theta, offset: start);
        using var input = tensor(torchInput, [1, heads, rows, headDim]);
        using var rotated = TorchRotary.Apply(input, torchCos, torchSin);
        torchCos.Dispose();
        torchSin.Dispose();
        var torchOut = rotated.data<float>().ToArray();
        var expected = new float[x.Length];
        for (int r = 0; r < rows; r++)
            for (int h = 0; h < heads; h++)
                for (int d = 0; d < headDim; d++)
                    expected[(r * heads + h) * headDim + Permuted(d)] = torchOut[(h * rows + r) * headDim + d];
        Assert.True(Numerics.RelativeError(expected, actual) < 1e-6);
    }

    [Theory]
    [MemberData(nameof(Formulations.Both), MemberType = typeof(Formulations))]
    public void PositionsBeyondTheTablesAndBadSizesAreRejected(Formulation formulation)
    {
        var target = fixture[formulation];
        var shape = new AttentionShape(3, 1, 8);
        using var tables = new RotaryTables(target.Accelerator, 10, 8, Theta);
        using var q = target.Upload(new ILGPU.Half[2 * shape.QueryWidth]);
        using var k = target.Upload(new ILGPU.Half[2 * shape.KeyValueWidth]);
        var rotary = target.Kernels.Rotary;
        Assert.Throws<ArgumentException>(() => rotary.Apply(q.View, k.View, 2, 9, shape, tables, RopeConvention.RotateHalf));
        Assert.Throws<ArgumentException>(() => rotary.Apply(q.View, k.View, 2, -1, shape, tables, RopeConvention.RotateHalf));
        Assert.Throws<ArgumentException>(() => rotary.Apply(q.View, k.View.SubView(0, 8), 2, 0, shape, tables, RopeConvention.RotateHalf));
        Assert.Throws<ArgumentException>(() => rotary.Apply(q.View, k.View, 2, 0, new AttentionShape(3, 1, 6), tables, RopeConvention.RotateHalf));
        Assert.Throws<ArgumentException>(() => new AttentionShape(3, 2, 8));
        Assert.Throws<ArgumentException>(() => new AttentionShape(3, 1, 7));
    }
}
