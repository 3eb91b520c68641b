using ILGPU;
using ILGPU.Runtime;
using QQQ.Runtime.Kernels.Layers;
using QQQ.TestSupport;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Tests.Layers;

/// <summary>
/// The CPU formulation of each kernel that reduces across GPU threads against its GPU formulation (run on the CPU
/// accelerator), bit for bit on fresh random data: the CPU kernels replay the GPU reduction trees, so the runtime's
/// results do not depend on which formulation ran. Shapes leave GPU threads idle (head_dim 8 &lt; 32) and give others
/// several elements (hidden 72 on one warp, hidden 300 on two, head_dim 40 and 64).
/// </summary>
[Collection(LayersCollection.Name)]
public class CpuFormulationTests(LayersFixture fixture)
{
    const float Eps = 1e-5f;

    /// <summary>Runs <paramref name="kernel"/> on both formulations; returns (GPU, CPU) outputs.</summary>
    (float[] Gpu, float[] Cpu) Both(Func<LayerTarget, float[]> kernel) => (kernel(fixture[Formulation.Gpu]), kernel(fixture[Formulation.Cpu]));

    static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);

    [Theory]
    [InlineData(5, 72)]
    [InlineData(3, 300)]
    public void RmsNormIsBitIdentical(int rows, int hidden)
    {
        var random = new Random();
        var x = Numerics.RandomNonZero(random, rows * hidden, 3f);
        var weight = Numerics.RandomNonZero(random, hidden);

        var normalized = Both(target =>
        {
            using var input = target.Upload(x);
            using var gamma = target.Upload(weight);
            using var output = target.Poisoned(x.Length, float.NaN);
            target.Kernels.RmsNorm.Normalize(input.View, gamma.View, rows, hidden, Eps, output.View);
            return output.GetAsArray1D();
        });
        Assert.Equal(Bits(normalized.Gpu), Bits(normalized.Cpu));

        var quantized = Both(target =>
        {
            using var input = target.Upload(x);
            using var gamma = target.Upload(weight);
            using var codes = target.Poisoned<sbyte>(x.Length, Poison.Int8);
            using var scales = target.Poisoned(rows, float.NaN);
            target.Kernels.RmsNorm.NormalizeQuantize(input.View, gamma.View, rows, hidden, Eps, codes.View, scales.View);
            return [.. codes.GetAsArray1D().Select(c => (float)c), .. scales.GetAsArray1D()];
        });
        Assert.Equal(Bits(quantized.Gpu), Bits(quantized.Cpu));
    }

    [Theory]
    [InlineData(5, 72, 37)]
    [InlineData(6, 200, 9)]
    [InlineData(37, 72, 11)]   // several CPU row blocks (LmHeadKernel.CpuRowBlock), the last one partial
    public void LmHeadIsBitIdentical(int rows, int hidden, int vocab)
    {
        var random = new Random();
        var x = Numerics.RandomNonZero(random, rows * hidden, 2f);
        var weight = HalfData.RandomNonZero(random, vocab * hidden);

        var logits = Both(target =>
        {
            using var input = target.Upload(x);
            using var w = target.Upload(weight);
            using var output = target.Poisoned(rows * vocab, float.NaN);
            target.Kernels.LmHead.Logits(input.View, w.View, rows, hidden, output.View);
            return output.GetAsArray1D();
        });
        Assert.Equal(Bits(logits.Gpu), Bits(logits.Cpu));
    }

    /// <summary>partitions: how many groups split each (row, head)'s positions (see AttentionKernels.Partitions).</summary>
    [Theory]
    [InlineData(1, 9, 4, 2, 8, 1)]
    [InlineData(7, 0, 3, 1, 24, 1)]
    [InlineData(5, 6, 2, 1, 40, 1)]
    [InlineData(3, 2, 2, 2, 64, 1)]
    [InlineData(1, 9, 4, 2, 8, 3)]
    [InlineData(2, 13, 2, 1, 40, 5)]
    public void AttentionIsBitIdentical(int rows, int start, int heads, int kvHeads, int headDim, int partitions) =>
        AssertAttentionBitIdentical(rows, start, new AttentionShape(heads, kvHeads, headDim), context: 16,
            (attention, cache, shape, query, output) => attention.Attend(cache, 0, start, rows, shape, query, output, partitions));

    /// <summary>
    /// The tiled kernel (AttentionKernels.AttendTiled): blocks of 16 rows, the last partial; start &gt; 0; GQA; tiles of 32
    /// positions, the last partial, in a cache that ends with the last written position; head_dim 8 (lanes 2-31 idle in
    /// P·V), 24, 26 (each score ends on a half Float4; lane 6 writes 2 dims), 40, 64, 128 and 136 (lanes 0 and 1 also
    /// own dims 128-135).
    /// </summary>
    [Theory]
    [InlineData(37, 0, 4, 2, 8)]
    [InlineData(5, 9, 2, 1, 24)]
    [InlineData(20, 3, 2, 1, 26)]
    [InlineData(21, 19, 3, 1, 40)]
    [InlineData(16, 32, 2, 2, 64)]
    [InlineData(18, 7, 1, 1, 128)]
    [InlineData(17, 16, 2, 1, 136)]
    public void TiledAttentionIsBitIdentical(int rows, int start, int heads, int kvHeads, int headDim) =>
        AssertAttentionBitIdentical(rows, start, new AttentionShape(heads, kvHeads, headDim), context: start + rows,
            (attention, cache, shape, query, output) => attention.AttendTiled(cache, 0, start, rows, shape, query, output));

    /// <summary>
    /// Fills positions 0 .. start + rows - 1 of a one-layer cache with fresh random keys and values, runs
    /// <paramref name="attend"/> on fresh random queries (rows, heads * head_dim) into a NaN-poisoned output on both
    /// formulations, and asserts the outputs are equal bit for bit (and hold no NaN).
    /// </summary>
    void AssertAttentionBitIdentical(int rows, int start, AttentionShape shape, int context,
        Action<AttentionKernels, KeyValueCache, AttentionShape, ArrayView<Half>, ArrayView<float>> attend)
    {
        var random = new Random();
        var k = HalfData.RandomNonZero(random, (start + rows) * shape.KeyValueWidth, 2f);
        var v = HalfData.RandomNonZero(random, k.Length, 2f);
        var q = HalfData.RandomNonZero(random, rows * shape.QueryWidth, 2f);

        var output = Both(target =>
        {
            using var cache = new KeyValueCache(target.Accelerator, 1, shape.KeyValueHeads, context, shape.HeadDim);
            using var kBuffer = target.Upload(k);
            using var vBuffer = target.Upload(v);
            using var qBuffer = target.Upload(q);
            using var result = target.Poisoned(q.Length, float.NaN);
            target.Kernels.Attention.Append(cache, 0, 0, start + rows, kBuffer.View, vBuffer.View);
            attend(target.Kernels.Attention, cache, shape, qBuffer.View, result.View);
            return result.GetAsArray1D();
        });
        Assert.DoesNotContain(output.Cpu, float.IsNaN);
        Assert.Equal(Bits(output.Gpu), Bits(output.Cpu));
    }

    [Fact]
    public void GatedActivationIsBitIdentical()
    {
        const int rows = 5, intermediate = 200;
        var random = new Random();
        var gate = HalfData.RandomNonZero(random, rows * intermediate, 6f);
        var up = HalfData.RandomNonZero(random, gate.Length, 2f);

        var quantized = Both(target =>
        {
            using var g = target.Upload(gate);
            using var u = target.Upload(up);
            using var codes = target.Poisoned<sbyte>(gate.Length, Poison.Int8);
            using var scales = target.Poisoned(rows, float.NaN);
            target.Kernels.GatedActivation.ActivateQuantize(g.View, u.View, rows, intermediate, codes.View, scales.View);
            return [.. codes.GetAsArray1D().Select(c => (float)c), .. scales.GetAsArray1D()];
        });
        Assert.Equal(Bits(quantized.Gpu), Bits(quantized.Cpu));
    }

    /// <summary>
    /// RoPE is the one kernel whose formulations differ on the CPU accelerator: ILGPU's float-to-Half cast there
    /// truncates. The CPU formulation must round each fp32 rotation to nearest even, as CUDA's cvt.rn does.
    /// </summary>
    [Theory]
    [InlineData(RopeConvention.RotateHalf)]
    [InlineData(RopeConvention.AdjacentPairs)]
    public void RotaryRoundsTheFp32RotationToNearestEven(RopeConvention convention)
    {
        var shape = new AttentionShape(4, 2, 24);
        const int rows = 6, start = 5;
        var random = new Random();
        var q = HalfData.RandomNonZero(random, rows * shape.QueryWidth, 4f);
        var k = HalfData.RandomNonZero(random, rows * shape.KeyValueWidth, 4f);
        var target = fixture[Formulation.Cpu];
        using var tables = new RotaryTables(target.Accelerator, start + rows, shape.HeadDim, 10000f);
        using var qBuffer = target.Upload(q);
        using var kBuffer = target.Upload(k);

        target.Kernels.Rotary.Apply(qBuffer.View, kBuffer.View, rows, start, shape, tables, convention);

        var (cos, sin) = RotaryTables.Compute(start + rows, shape.HeadDim, 10000f);
        Assert.Equal(Fp32RotationRounded(q, shape.Heads), HalfBits(qBuffer.GetAsArray1D()));
        Assert.Equal(Fp32RotationRounded(k, shape.KeyValueHeads), HalfBits(kBuffer.GetAsArray1D()));

        ushort[] Fp32RotationRounded(Half[] x, int heads)
        {
            int half = shape.HeadDim / 2;
            var result = new ushort[x.Length];
            for (int row = 0; row < rows; row++)
                for (int head = 0; head < heads; head++)
                    for (int i = 0; i < half; i++)
                    {
                        int offset = (row * heads + head) * shape.HeadDim;
                        int first = offset + (convention == RopeConvention.AdjacentPairs ? 2 * i : i);
                        int second = offset + (convention == RopeConvention.AdjacentPairs ? 2 * i + 1 : i + half);
                        float c = cos[(start + row) * half + i], s = sin[(start + row) * half + i];
                        float x0 = x[first], x1 = x[second];
                        result[first] = BitConverter.HalfToUInt16Bits((System.Half)(x0 * c - x1 * s));
                        result[second] = BitConverter.HalfToUInt16Bits((System.Half)(x1 * c + x0 * s));
                    }
            return result;
        }
    }

    static ushort[] HalfBits(Half[] values) => Array.ConvertAll(values, v => BitConverter.HalfToUInt16Bits((System.Half)(float)v));
}
