using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// Causal GQA attention over a <see cref="KeyValueCache"/>, for prefill (rows &gt; 1) and decode (rows = 1)
/// alike: <see cref="Append"/> writes the new k/v rows at positions start .. start + rows - 1, then
/// <see cref="Attend"/> lets query row m (position start + m) attend to positions 0 .. start + m.
/// Softmax is in fp32 with scale 1/sqrt(head_dim). The fp32 output (rows, heads * head_dim) goes to
/// <see cref="TokenQuantizer"/> for o_proj: fusing the quantization would need one group per token row
/// for all heads, which leaves a decode step with a single group.
/// </summary>
public sealed partial class AttentionKernels
{
    internal const int Warps = 4;

    /// <summary>Launches the loaded append formulation on (key, value, cache keys, cache values, start, rows, context, kv heads, head_dim).</summary>
    readonly Action<ArrayView<Half>, ArrayView<Half>, ArrayView<Half>, ArrayView<Half>, int, int, int, int, int> _append;
    readonly Action<KernelConfig, ArrayView<Half>, ArrayView<Half>, ArrayView<Half>, ArrayView<float>, int, int, int, int, int, float> _attend;
    readonly int _attendGroupSize;

    /// <summary>Loads both kernels on <paramref name="accelerator"/>, in the formulation that suits it.</summary>
    public AttentionKernels(Accelerator accelerator) : this(accelerator, KernelFormulations.For(accelerator)) { }

    internal AttentionKernels(Accelerator accelerator, KernelFormulation formulation)
    {
        if (formulation == KernelFormulation.Cpu)
        {
            var append = accelerator.LoadStreamKernel<ArrayView<Half>, ArrayView<Half>, ArrayView<Half>, ArrayView<Half>,
                int, int, int, int>(AppendCpuKernel);
            _append = (key, value, keys, values, start, rows, context, kvHeads, headDim) =>
                append(new KernelConfig(rows, 1), key, value, keys, values, start, context, kvHeads, headDim);
            _attendGroupSize = 1;
        }
        else
        {
            var append = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<Half>, ArrayView<Half>, ArrayView<Half>, ArrayView<Half>,
                int, int, int, int>(AppendKernel);
            _append = (key, value, keys, values, start, rows, context, kvHeads, headDim) =>
                append((int)key.Length, key, value, keys, values, start, context, kvHeads, headDim);
            _attendGroupSize = Warps * accelerator.WarpSize;
        }
        _attend = accelerator.LoadStreamKernel<ArrayView<Half>, ArrayView<Half>, ArrayView<Half>, ArrayView<float>,
            int, int, int, int, int, float>(formulation == KernelFormulation.Cpu ? AttendCpuKernel : AttendKernel);
    }

    /// <summary>
    /// Copies key and value, each (rows, kv_heads * head_dim) fp16 (k after RoPE), into layer
    /// <paramref name="layer"/> of the cache at positions start .. start + rows - 1.
    /// </summary>
    public void Append(KeyValueCache cache, int layer, int start, int rows, ArrayView<Half> key, ArrayView<Half> value)
    {
        cache.CheckPositions(start, rows);
        long length = (long)rows * cache.KeyValueHeads * cache.HeadDim;
        Guard.Length(key, length, nameof(key));
        Guard.Length(value, length, nameof(value));
        Guard.LaunchSize(length, nameof(key));
        _append(key, value, cache.LayerKeys(layer), cache.LayerValues(layer), start, rows, cache.Context, cache.KeyValueHeads, cache.HeadDim);
    }

    /// <summary>
    /// query (rows, heads * head_dim) fp16 at positions start + m -> output (rows, heads * head_dim) fp32.
    /// The cache must already hold positions 0 .. start + rows - 1 of this layer.
    /// </summary>
    public void Attend(KeyValueCache cache, int layer, int start, int rows, AttentionShape shape, ArrayView<Half> query, ArrayView<float> output)
    {
        cache.CheckPositions(start, rows);
        cache.CheckShape(shape);
        Guard.Length(query, (long)rows * shape.QueryWidth, nameof(query));
        Guard.Length(output, (long)rows * shape.QueryWidth, nameof(output));
        // Shared: q (head_dim), one accumulator row per warp (warps * head_dim), running max and sum per warp.
        var shared = SharedMemoryConfig.RequestDynamic<float>((Warps + 1) * shape.HeadDim + 2 * Warps);
        var config = new KernelConfig(Guard.LaunchSize((long)rows * shape.Heads, nameof(rows)), _attendGroupSize, shared);
        _attend(config, query, cache.LayerKeys(layer), cache.LayerValues(layer), output,
            start, cache.Context, shape.Heads, shape.KeyValueHeads, shape.HeadDim, 1f / MathF.Sqrt(shape.HeadDim));
    }

    // Thread index -> (row, kv head, dim) of the new k/v rows.
    static void AppendKernel(Index1D index, ArrayView<Half> key, ArrayView<Half> value, ArrayView<Half> keys, ArrayView<Half> values,
        int start, int context, int keyValueHeads, int headDim)
    {
        int d = index % headDim;
        int head = index / headDim % keyValueHeads;
        int row = index / headDim / keyValueHeads;
        long target = ((long)head * context + start + row) * headDim + d;
        keys[target] = key[index];
        values[target] = value[index];
    }

    // One group per (row, head). Warp w takes positions w, w + warps, ... with an online softmax
    // (running max, running sum, rescaled accumulator); lanes split head_dim and the dot product is a
    // warp sum. The warps' partial results are merged at the end.
    static void AttendKernel(ArrayView<Half> query, ArrayView<Half> keys, ArrayView<Half> values, ArrayView<float> output,
        int start, int context, int heads, int keyValueHeads, int headDim, float scale)
    {
        var shared = SharedMemory.GetDynamic<float>();
        int warps = Group.DimX / Warp.WarpSize;
        int warp = Warp.WarpIdx, lane = Warp.LaneIdx;
        var q = shared.SubView(0, headDim);
        var accumulators = shared.SubView(headDim, warps * headDim);
        var maxima = shared.SubView((warps + 1) * headDim, warps);
        var sums = shared.SubView((warps + 1) * headDim + warps, warps);

        int row = Grid.IdxX / heads, head = Grid.IdxX % heads;
        int keyValueHead = head / (heads / keyValueHeads);
        long rowOffset = ((long)row * heads + head) * headDim;
        for (int d = Group.IdxX; d < headDim; d += Group.DimX)
            q[d] = query[rowOffset + d] * scale;
        var accumulator = accumulators.SubView(warp * headDim, headDim);
        for (int d = lane; d < headDim; d += Warp.WarpSize)
            accumulator[d] = 0f;
        Group.Barrier();

        long headOffset = (long)keyValueHead * context * headDim;
        int length = start + row + 1;   // causal: positions 0 .. start + row
        float runningMax = float.NegativeInfinity, runningSum = 0f;
        for (int t = warp; t < length; t += warps)
        {
            long keyOffset = headOffset + (long)t * headDim;
            float partial = 0f;
            for (int d = lane; d < headDim; d += Warp.WarpSize)
                partial += q[d] * keys[keyOffset + d];
            float score = GroupReduce.WarpSum(partial);
            float newMax = XMath.Max(runningMax, score);
            float correction = XMath.Exp(runningMax - newMax);   // 0 on the first position (exp(-inf))
            float weight = XMath.Exp(score - newMax);
            runningSum = runningSum * correction + weight;
            for (int d = lane; d < headDim; d += Warp.WarpSize)
                accumulator[d] = accumulator[d] * correction + weight * values[keyOffset + d];
            runningMax = newMax;
        }
        if (Warp.IsFirstLane)
        {
            maxima[warp] = runningMax;
            sums[warp] = runningSum;
        }
        Group.Barrier();

        // Warp 0 always saw position 0, so the maximum is finite; warps that saw no position have
        // max -inf, sum 0 and a zero accumulator, and weigh exp(-inf) = 0.
        float maximum = maxima[0];
        for (int w = 1; w < warps; w++) maximum = XMath.Max(maximum, maxima[w]);
        float total = 0f;
        for (int w = 0; w < warps; w++) total += sums[w] * XMath.Exp(maxima[w] - maximum);
        for (int d = Group.IdxX; d < headDim; d += Group.DimX)
        {
            float sum = 0f;
            for (int w = 0; w < warps; w++) sum += accumulators[w * headDim + d] * XMath.Exp(maxima[w] - maximum);
            output[rowOffset + d] = sum / total;
        }
    }

    /// <summary>
    /// Managed float64 reference of <see cref="Attend"/>: query (rows, heads * head_dim); keys and values of
    /// one layer as (kv_heads, context, head_dim) -> output (rows, heads * head_dim).
    /// </summary>
    public static void Reference(ReadOnlySpan<float> query, ReadOnlySpan<float> keys, ReadOnlySpan<float> values, int context,
        int start, AttentionShape shape, Span<double> output)
    {
        int headDim = shape.HeadDim;
        double scale = 1 / Math.Sqrt(headDim);
        for (int row = 0; row < query.Length / shape.QueryWidth; row++)
            for (int head = 0; head < shape.Heads; head++)
            {
                int length = start + row + 1;
                var q = query.Slice((row * shape.Heads + head) * headDim, headDim);
                int headOffset = head / shape.QueriesPerKeyValueHead * context * headDim;
                var scores = new double[length];
                for (int t = 0; t < length; t++)
                {
                    double dot = 0;
                    for (int d = 0; d < headDim; d++) dot += (double)q[d] * keys[headOffset + t * headDim + d];
                    scores[t] = dot * scale;
                }
                double max = scores.Max(), sum = 0;
                for (int t = 0; t < length; t++)
                {
                    scores[t] = Math.Exp(scores[t] - max);
                    sum += scores[t];
                }
                var o = output.Slice((row * shape.Heads + head) * headDim, headDim);
                for (int d = 0; d < headDim; d++)
                {
                    double acc = 0;
                    for (int t = 0; t < length; t++) acc += scores[t] * values[headOffset + t * headDim + d];
                    o[d] = acc / sum;
                }
            }
    }
}
