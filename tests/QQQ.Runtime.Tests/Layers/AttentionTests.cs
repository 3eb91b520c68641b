using ILGPU;
using ILGPU.Runtime;
using QQQ.Runtime.Kernels.Layers;
using QQQ.TestSupport;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Tests.Layers;

[Collection(LayersCollection.Name)]
public class AttentionTests(LayersFixture fixture)
{
    /// <summary>Room for the tiled cases: up to 40 positions, the last tile reaching into positions never written.</summary>
    const int Context = 64;
    static readonly Half NaN = (Half)float.NaN;

    /// <summary>A 2-layer cache filled with NaN: any read of a position never written poisons the output.</summary>
    static KeyValueCache PoisonedCache(LayerTarget target, AttentionShape shape)
    {
        var cache = new KeyValueCache(target.Accelerator, 2, shape.KeyValueHeads, Context, shape.HeadDim);
        var poison = HalfData.Filled((int)cache.Keys.Length, NaN);
        cache.Keys.CopyFromCPU(poison);
        cache.Values.CopyFromCPU(poison);
        return cache;
    }

    [Theory]
    [MemberData(nameof(Formulations.Both), MemberType = typeof(Formulations))]
    public void AppendWritesExactlyTheNewPositionsOfOneLayer(Formulation formulation)
    {
        var target = fixture[formulation];
        var shape = new AttentionShape(4, 2, 8);
        const int layer = 1, start = 4, rows = 5;
        using var cache = PoisonedCache(target, shape);
        var random = new Random();
        var k = HalfData.RandomNonZero(random, rows * shape.KeyValueWidth);
        var v = HalfData.RandomNonZero(random, k.Length);
        using var kBuffer = target.Upload(k);
        using var vBuffer = target.Upload(v);

        target.Kernels.Attention.Append(cache, layer, start, rows, kBuffer.View, vBuffer.View);

        // Compared as float: float.NaN.Equals(float.NaN) holds, ILGPU.Half's NaN is unequal to itself.
        var keys = HalfData.ToFloat(cache.Keys.GetAsArray());
        var values = HalfData.ToFloat(cache.Values.GetAsArray());
        for (int l = 0; l < 2; l++)
            for (int head = 0; head < 2; head++)
                for (int position = 0; position < Context; position++)
                    for (int d = 0; d < 8; d++)
                    {
                        long at = ((l * 2L + head) * Context + position) * 8 + d;
                        bool written = l == layer && position >= start && position < start + rows;
                        int source = ((position - start) * 2 + head) * 8 + d;
                        Assert.Equal(written ? (float)k[source] : float.NaN, keys[at]);
                        Assert.Equal(written ? (float)v[source] : float.NaN, values[at]);
                    }
    }

    // head_dim 40: lanes 0-7 of each score's warp sum add two dims, lanes 8-31 one.
    public static TheoryData<Formulation, int, int, int, int, int> Cases() => Formulations.Cross(
        (1, 0, 3, 1, 8),
        (1, 6, 3, 1, 24),
        (5, 0, 3, 1, 24),
        (5, 6, 4, 2, 8),
        (5, 6, 2, 1, 40));

    public static TheoryData<Formulation, int, int, int, int, int> CpuCases() => Formulations.CpuOnly(
        (17, 0, 4, 2, 8),
        (17, 6, 3, 1, 8));

    [Theory]
    [MemberData(nameof(Cases))]
    [MemberData(nameof(CpuCases))]
    public void AttendMatchesFloat64Reference(Formulation formulation, int rows, int start, int heads, int kvHeads, int headDim) =>
        CheckAttend(formulation, rows, start, heads, kvHeads, headDim,
            (attention, cache, shape, q, output) => attention.Attend(cache, Layer, start, rows, shape, q, output,
                AttentionKernels.Partitions(rows, heads, start + rows)));

    /// <summary>
    /// The tiled kernel (blocks of 16 rows, tiles of 32 positions) at any rows: one row; one partial block after cached
    /// positions; three blocks, the last partial; a second chunk (start &gt; 0) of two blocks whose 40 positions end in a
    /// partial tile; a full block starting at a tile boundary; head_dim 26 (not a multiple of 4) and 136 (two Float4s of
    /// dims for some lanes). The last tile always reaches past the written positions (NaN in the cache).
    /// </summary>
    public static TheoryData<Formulation, int, int, int, int, int> TiledCases() => Formulations.Cross(
        (1, 0, 2, 1, 8),
        (5, 9, 3, 1, 24),
        (37, 0, 4, 2, 8),
        (21, 19, 2, 1, 40),
        (16, 32, 2, 2, 64),
        (19, 5, 2, 1, 26),
        (17, 16, 2, 1, 136));

    [Theory]
    [MemberData(nameof(TiledCases))]
    public void TiledAttendMatchesFloat64Reference(Formulation formulation, int rows, int start, int heads, int kvHeads, int headDim) =>
        CheckAttend(formulation, rows, start, heads, kvHeads, headDim,
            (attention, cache, shape, q, output) => attention.AttendTiled(cache, Layer, start, rows, shape, q, output));

    /// <summary>
    /// Positions split over several groups and merged, as decode steps over long caches run; with more partitions than
    /// the positions fill (the last ones see nothing and must weigh nothing).
    /// </summary>
    [Theory]
    [InlineData(Formulation.Gpu, 1, 6, 3, 1, 24, 2)]
    [InlineData(Formulation.Gpu, 2, 13, 2, 1, 40, 5)]
    [InlineData(Formulation.Cpu, 1, 2, 4, 2, 8, 5)]
    [InlineData(Formulation.Cpu, 3, 26, 3, 1, 8, 4)]
    public void SplitAttendMatchesFloat64Reference(Formulation formulation, int rows, int start, int heads, int kvHeads, int headDim,
        int partitions) =>
        CheckAttend(formulation, rows, start, heads, kvHeads, headDim,
            (attention, cache, shape, q, output) => attention.Attend(cache, Layer, start, rows, shape, q, output, partitions));

    /// <summary>One of the attention kernels, on layer <see cref="Layer"/> of the cache.</summary>
    delegate void AttendCall(AttentionKernels attention, KeyValueCache cache, AttentionShape shape, ArrayView<Half> q, ArrayView<float> output);

    /// <summary>The layer the reference checks use: layer 1 of 2, so reading the wrong layer's NaN shows up.</summary>
    const int Layer = 1;

    void CheckAttend(Formulation formulation, int rows, int start, int heads, int kvHeads, int headDim, AttendCall attend)
    {
        var target = fixture[formulation];
        var shape = new AttentionShape(heads, kvHeads, headDim);
        using var cache = PoisonedCache(target, shape);
        var random = new Random();
        // Positions 0 .. start - 1 hold an earlier prefix; the new rows are appended by the kernel.
        int filled = start + rows;
        var k = HalfData.RandomNonZero(random, filled * shape.KeyValueWidth, 2f);
        var v = HalfData.RandomNonZero(random, k.Length, 2f);
        var q = HalfData.RandomNonZero(random, rows * shape.QueryWidth, 2f);
        using var kBuffer = target.Upload(k);
        using var vBuffer = target.Upload(v);
        using var qBuffer = target.Upload(q);
        using var output = target.Poisoned(q.Length, float.NaN);
        var attention = target.Kernels.Attention;
        if (start > 0)
            attention.Append(cache, Layer, 0, start, kBuffer.View.SubView(0, start * shape.KeyValueWidth), vBuffer.View.SubView(0, start * shape.KeyValueWidth));
        int newRows = rows * shape.KeyValueWidth;
        attention.Append(cache, Layer, start, rows, kBuffer.View.SubView(start * shape.KeyValueWidth, newRows),
            vBuffer.View.SubView(start * shape.KeyValueWidth, newRows));

        attend(attention, cache, shape, qBuffer.View, output.View);

        var expected = new double[q.Length];
        AttentionKernels.Reference(HalfData.ToFloat(q), CacheLayout(k, shape), CacheLayout(v, shape), Context, start, shape, expected);
        Assert.True(Numerics.RelativeError(output.GetAsArray1D(), expected) < 1e-5);
    }

    /// <summary>(positions, kv_heads * head_dim) rows -> one layer's cache layout (kv_heads, Context, head_dim).</summary>
    internal static float[] CacheLayout(Half[] rows, AttentionShape shape)
    {
        var layer = new float[shape.KeyValueHeads * Context * shape.HeadDim];
        for (int position = 0; position < rows.Length / shape.KeyValueWidth; position++)
            for (int head = 0; head < shape.KeyValueHeads; head++)
                for (int d = 0; d < shape.HeadDim; d++)
                    layer[(head * Context + position) * shape.HeadDim + d] = rows[position * shape.KeyValueWidth + head * shape.HeadDim + d];
        return layer;
    }

    /// <summary>(heads, kv heads, head_dim, tokens): 9 tokens prefill with the per-row kernel, 21 with the tiled one.</summary>
    public static TheoryData<Formulation, int, int, int, int> DecodeShapes => Formulations.Cross((3, 1, 24, 9), (4, 2, 8, 9), (4, 2, 40, 21));

    [Theory]
    [MemberData(nameof(DecodeShapes))]
    public void PrefillEqualsDecodeStepByStep(Formulation formulation, int heads, int kvHeads, int headDim, int tokens)
    {
        var target = fixture[formulation];
        var shape = new AttentionShape(heads, kvHeads, headDim);
        const int layer = 0;
        var random = new Random();
        var q = HalfData.RandomNonZero(random, tokens * shape.QueryWidth, 2f);
        var k = HalfData.RandomNonZero(random, tokens * shape.KeyValueWidth, 2f);
        var v = HalfData.RandomNonZero(random, tokens * shape.KeyValueWidth, 2f);
        using var tables = new RotaryTables(target.Accelerator, Context, headDim, 10000f);
        var kernels = target.Kernels;

        // Prefill: RoPE, append and attend all tokens at once.
        float[] prefill;
        using (var cache = PoisonedCache(target, shape))
        using (var qBuffer = target.Upload(q))
        using (var kBuffer = target.Upload(k))
        using (var vBuffer = target.Upload(v))
        using (var output = target.Poisoned(q.Length, float.NaN))
        {
            kernels.Rotary.Apply(qBuffer.View, kBuffer.View, tokens, 0, shape, tables, RopeConvention.RotateHalf);
            kernels.Attention.Append(cache, layer, 0, tokens, kBuffer.View, vBuffer.View);
            kernels.Attention.Attend(cache, layer, 0, tokens, shape, qBuffer.View, output.View);
            prefill = output.GetAsArray1D();
        }

        // Decode: the same tokens one at a time, each at its own position.
        var decode = new float[q.Length];
        using (var cache = PoisonedCache(target, shape))
        using (var output = target.Poisoned(shape.QueryWidth, float.NaN))
            for (int t = 0; t < tokens; t++)
            {
                using var qRow = target.Upload(q[(t * shape.QueryWidth)..((t + 1) * shape.QueryWidth)]);
                using var kRow = target.Upload(k[(t * shape.KeyValueWidth)..((t + 1) * shape.KeyValueWidth)]);
                using var vRow = target.Upload(v[(t * shape.KeyValueWidth)..((t + 1) * shape.KeyValueWidth)]);
                kernels.Rotary.Apply(qRow.View, kRow.View, 1, t, shape, tables, RopeConvention.RotateHalf);
                kernels.Attention.Append(cache, layer, t, 1, kRow.View, vRow.View);
                kernels.Attention.Attend(cache, layer, t, 1, shape, qRow.View, output.View);
                output.GetAsArray1D().CopyTo(decode, t * shape.QueryWidth);
            }

        Assert.True(Numerics.RelativeError(decode, Array.ConvertAll(prefill, x => (double)x)) < 1e-6);
    }

    [Theory]
    [MemberData(nameof(Formulations.Both), MemberType = typeof(Formulations))]
    public void PositionsBeyondTheContextAndMismatchesAreRejected(Formulation formulation)
    {
        var target = fixture[formulation];
        var shape = new AttentionShape(3, 1, 8);
        using var cache = new KeyValueCache(target.Accelerator, 2, 1, Context, 8);
        using var k = target.Upload(new Half[2 * shape.KeyValueWidth]);
        using var q = target.Upload(new Half[2 * shape.QueryWidth]);
        using var output = target.Poisoned(2 * shape.QueryWidth, 0f);
        var attention = target.Kernels.Attention;
        Assert.Throws<ArgumentException>(() => attention.Append(cache, 0, Context - 1, 2, k.View, k.View));
        Assert.Throws<ArgumentException>(() => attention.Append(cache, 0, -1, 2, k.View, k.View));
        Assert.Throws<ArgumentException>(() => attention.Append(cache, 2, 0, 2, k.View, k.View));
        Assert.Throws<ArgumentException>(() => attention.Append(cache, 0, 0, 2, k.View, k.View.SubView(0, 8)));
        Assert.Throws<ArgumentException>(() => attention.Attend(cache, 0, Context - 1, 2, shape, q.View, output.View));
        Assert.Throws<ArgumentException>(() => attention.Attend(cache, 0, 0, 2, new AttentionShape(4, 2, 8), q.View, output.View));
        Assert.Throws<ArgumentException>(() => attention.Attend(cache, 0, 0, 2, shape, q.View, output.View.SubView(0, 47)));
    }
}
