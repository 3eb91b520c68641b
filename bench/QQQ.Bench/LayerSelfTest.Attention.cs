using ILGPU;
using ILGPU.Runtime;
using QQQ.Runtime.Kernels.Layers;
using QQQ.TestSupport;
using Half = ILGPU.Half;

namespace QQQ.Bench;

// KV-cache append and causal attention, as AttentionTests checks them. From 16 rows on Attend runs the tiled kernel
// (AttentionKernels.UsesTiles): the two 512-row chunks of a 1024-token prefill, and 21 rows after 5 cached positions (two
// blocks of 16 rows, the second partial; 26 positions, one partial tile of 32). Below, the per-row kernel at a long cache,
// its positions split by AttentionKernels.Partitions while rows * heads < 1024 groups: 7 rows over 5 partitions (7B) or 32
// (odd shape), the decode step over 32.
sealed partial class LayerSelfTest
{
    const int AttentionStart = 1000;

    /// <summary>(rows, start) of the attention checks, at both layer shapes.</summary>
    static readonly (int Rows, int Start)[] AttentionCases = [(512, 0), (512, 512), (21, 5), (7, AttentionStart), (1, AttentionStart)];

    /// <summary>Layer 1 of a 2-layer cache, so a write into the wrong layer shows up.</summary>
    const int Layers = 2, Layer = 1;

    /// <summary>
    /// Appends positions 0 .. start - 1 (an earlier prefix) and then the rows' own, into a cache of NaN with room for 3
    /// more: the cache must hold exactly those positions of <see cref="Layer"/> and NaN everywhere else. Then the rows
    /// attend, against the float64 reference within 1e-5 relative; an unwritten position would make the output NaN.
    /// </summary>
    int Attention(LayerShape shape, int rows, int start)
    {
        var (random, seed) = Seeded();
        var heads = new AttentionShape(shape.Heads, shape.KeyValueHeads, shape.HeadDim);
        int filled = start + rows, context = filled + 3;
        var k = RandomData.Halves(random, filled * heads.KeyValueWidth, 2f);
        var v = RandomData.Halves(random, k.Length, 2f);
        var q = RandomData.Halves(random, rows * heads.QueryWidth, 2f);
        using var cache = new KeyValueCache(accelerator, Layers, heads.KeyValueHeads, context, heads.HeadDim);
        var poison = new Half[cache.Keys.Length];
        Array.Fill(poison, Half.NaN);
        cache.Keys.CopyFromCPU(poison);
        cache.Values.CopyFromCPU(poison);
        using var kBuffer = accelerator.Allocate1D(k);
        using var vBuffer = accelerator.Allocate1D(v);
        using var qBuffer = accelerator.Allocate1D(q);
        using var output = RandomData.Poisoned(accelerator, q.Length, float.NaN);
        int prefix = start * heads.KeyValueWidth, added = rows * heads.KeyValueWidth;

        if (start > 0)
            kernels.Attention.Append(cache, Layer, 0, start, kBuffer.View.SubView(0, prefix), vBuffer.View.SubView(0, prefix));
        kernels.Attention.Append(cache, Layer, start, rows, kBuffer.View.SubView(prefix, added), vBuffer.View.SubView(prefix, added));
        kernels.Attention.Attend(cache, Layer, start, rows, heads, qBuffer.View, output.View);

        var keys = CacheImage(k, heads, context);
        var values = CacheImage(v, heads, context);
        int misplaced = Agreement.Unequal(keys, ToFloat(cache.Keys.GetAsArray())) + Agreement.Unequal(values, ToFloat(cache.Values.GetAsArray()));
        var expected = new double[q.Length];
        var layerKeys = keys.AsSpan((int)cache.LayerLength * Layer, (int)cache.LayerLength);
        var layerValues = values.AsSpan((int)cache.LayerLength * Layer, (int)cache.LayerLength);
        AttentionKernels.Reference(ToFloat(q), layerKeys, layerValues, context, start, heads, expected);
        double error = Numerics.RelativeError(output.GetAsArray1D(), expected);
        string sizes = $"rows={rows} start={start} heads={heads.Heads}/{heads.KeyValueHeads}x{heads.HeadDim}";
        return Report("kv append", sizes, misplaced == 0, $"wrong={misplaced}", seed)
            + Report("attention", sizes, error < 1e-5, $"rel={error:0.0e+00}", seed);
    }

    /// <summary>
    /// The whole cache (layers, kv_heads, context, head_dim) as fp32 after appending <paramref name="rows"/>
    /// (positions, kv_heads * head_dim) at positions 0 .. into <see cref="Layer"/>: NaN wherever nothing was written.
    /// </summary>
    static float[] CacheImage(Half[] rows, AttentionShape heads, int context)
    {
        var image = new float[Layers * heads.KeyValueHeads * context * heads.HeadDim];
        Array.Fill(image, float.NaN);
        for (int position = 0; position < rows.Length / heads.KeyValueWidth; position++)
            for (int head = 0; head < heads.KeyValueHeads; head++)
                for (int d = 0; d < heads.HeadDim; d++)
                    image[((Layer * heads.KeyValueHeads + head) * context + position) * heads.HeadDim + d] =
                        (float)rows[position * heads.KeyValueWidth + head * heads.HeadDim + d];
        return image;
    }
}
