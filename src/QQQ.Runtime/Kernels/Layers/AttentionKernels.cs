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
/// <remarks>
/// Two kernels, picked by the number of rows (<see cref="UsesTiles"/>). From <see cref="AttentionTile.Rows"/> rows on
/// (prefill), the tiled kernel (AttentionKernels.Tiled.cs) stages each tile of keys and values in shared memory once for
/// a block of rows. Below it (decode), one group per (row, head): a few pairs would leave most of a GPU idle while a
/// handful of warps walk thousands of cached positions one dependent load after another, so the positions of each pair
/// are split over <see cref="Partitions"/> groups (split-K over the sequence, "flash-decoding"): each group writes its
/// partial softmax state (max, sum, accumulator row) to a scratch buffer and <see cref="MergeKernel"/> combines them.
/// Both choices depend on the shapes only, so both formulations compute the same sums in the same order.
/// </remarks>
public sealed partial class AttentionKernels : IDisposable
{
    internal const int Warps = 4;

    /// <summary>Fewer (row, head) groups than this are split over positions.</summary>
    internal const int TargetGroups = 1024;

    /// <summary>A split leaves each warp at least this many positions.</summary>
    internal const int MinPositionsPerWarp = 8;

    internal const int MaxPartitions = 64;

    /// <summary>Launches the loaded append formulation on (key, value, cache keys, cache values, start, rows, context, kv heads, head_dim).</summary>
    readonly Action<ArrayView<Half>, ArrayView<Half>, ArrayView<Half>, ArrayView<Half>, int, int, int, int, int> _append;
    readonly Action<KernelConfig, ArrayView<Half>, ArrayView<Half>, ArrayView<Half>, ArrayView<float>, ArrayView<float>,
        int, int, int, int, int, float, int> _attend;
    readonly Action<KernelConfig, ArrayView<Half>, ArrayView<Half>, ArrayView<Half>, ArrayView<float>,
        int, int, int, int, int, int, float> _attendTiled;
    /// <summary>The tiled kernel for head_dim 129-256, compiled on first use: LLaMA-family models (head_dim 128) never need it.</summary>
    readonly Lazy<Action<KernelConfig, ArrayView<Half>, ArrayView<Half>, ArrayView<Half>, ArrayView<float>,
        int, int, int, int, int, int, float>> _attendTiledWide;
    readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> _merge;
    readonly Accelerator _accelerator;
    readonly int _attendGroupSize;
    /// <summary>Partial softmax states of split groups: (groups, 2 + head_dim) fp32, grown on demand.</summary>
    MemoryBuffer1D<float, Stride1D.Dense>? _partials;

    /// <summary>Loads the kernels on <paramref name="accelerator"/>, in the formulation that suits it.</summary>
    public AttentionKernels(Accelerator accelerator) : this(accelerator, KernelFormulations.For(accelerator)) { }

    internal AttentionKernels(Accelerator accelerator, KernelFormulation formulation)
    {
        _accelerator = accelerator;
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
        _attend = accelerator.LoadStreamKernel<ArrayView<Half>, ArrayView<Half>, ArrayView<Half>, ArrayView<float>, ArrayView<float>,
            int, int, int, int, int, float, int>(formulation == KernelFormulation.Cpu ? AttendCpuKernel : AttendKernel);
        _attendTiled = accelerator.LoadStreamKernel<ArrayView<Half>, ArrayView<Half>, ArrayView<Half>, ArrayView<float>,
            int, int, int, int, int, int, float>(formulation == KernelFormulation.Cpu ? TiledAttendCpuKernel : TiledAttendKernel<OneVectorPerLane>);
        _attendTiledWide = new(() => formulation == KernelFormulation.Cpu ? _attendTiled : accelerator.LoadStreamKernel<ArrayView<Half>,
            ArrayView<Half>, ArrayView<Half>, ArrayView<float>, int, int, int, int, int, int, float>(TiledAttendKernel<TwoVectorsPerLane>));
        _merge = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(MergeKernel);
    }

    /// <summary>
    /// How many groups share the positions of one (row, head) pair: enough for about <see cref="TargetGroups"/> groups,
    /// at most <see cref="MaxPartitions"/>, and never so many that a warp gets fewer than <see cref="MinPositionsPerWarp"/>
    /// of the longest row's positions. <paramref name="length"/> is that row's causal length, start + rows.
    /// </summary>
    internal static int Partitions(int rows, int heads, int length)
    {
        long pairs = (long)rows * heads;
        if (pairs >= TargetGroups) return 1;
        int byOccupancy = (int)((TargetGroups + pairs - 1) / pairs);
        int byLength = (length + Warps * MinPositionsPerWarp - 1) / (Warps * MinPositionsPerWarp);
        return Math.Clamp(Math.Min(byOccupancy, byLength), 1, MaxPartitions);
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
        if (UsesTiles(rows)) AttendTiled(cache, layer, start, rows, shape, query, output);
        else Attend(cache, layer, start, rows, shape, query, output, Partitions(rows, shape.Heads, start + rows));
    }

    /// <summary>
    /// The tiled kernel, one group per (block of <see cref="AttentionTile.Rows"/> rows, head): Attend's choice from
    /// <see cref="AttentionTile.Rows"/> rows on; tests run it at any rows.
    /// </summary>
    internal void AttendTiled(KeyValueCache cache, int layer, int start, int rows, AttentionShape shape, ArrayView<Half> query,
        ArrayView<float> output)
    {
        Check(cache, start, rows, shape, query, output);
        if (shape.HeadDim > MaxTiledHeadDim)
            throw new ArgumentException($"head_dim {shape.HeadDim} is over the tiled attention kernel's {MaxTiledHeadDim}", nameof(shape));
        long blocks = (rows + AttentionTile.Rows - 1) / AttentionTile.Rows;
        // Shared: one AttentionTile (head_dim 128: 27,136 bytes).
        var shared = SharedMemoryConfig.RequestDynamic<float>(AttentionTile.Floats(shape.HeadDim));
        var config = new KernelConfig(Guard.LaunchSize(blocks * shape.Heads, nameof(rows)), _attendGroupSize, shared);
        var attend = shape.HeadDim <= MaxTiledHeadDim / 2 ? _attendTiled : _attendTiledWide.Value;
        attend(config, query, cache.LayerKeys(layer), cache.LayerValues(layer), output,
            start, rows, cache.Context, shape.Heads, shape.KeyValueHeads, shape.HeadDim, 1f / MathF.Sqrt(shape.HeadDim));
    }

    /// <summary>The per-row kernel over <paramref name="partitions"/> splits: Attend's choice below <see cref="AttentionTile.Rows"/> rows; tests run it at any rows.</summary>
    internal void Attend(KeyValueCache cache, int layer, int start, int rows, AttentionShape shape, ArrayView<Half> query,
        ArrayView<float> output, int partitions)
    {
        Check(cache, start, rows, shape, query, output);
        if (partitions < 1 || partitions > MaxPartitions) throw new ArgumentOutOfRangeException(nameof(partitions));
        long pairs = (long)rows * shape.Heads;
        var partials = partitions == 1 ? output : Partials(pairs * partitions * (2 + shape.HeadDim));
        // Shared: q (head_dim), one accumulator row per warp (warps * head_dim), running max and sum per warp.
        var shared = SharedMemoryConfig.RequestDynamic<float>((Warps + 1) * shape.HeadDim + 2 * Warps);
        var config = new KernelConfig(Guard.LaunchSize(pairs * partitions, nameof(rows)), _attendGroupSize, shared);
        _attend(config, query, cache.LayerKeys(layer), cache.LayerValues(layer), output, partials,
            start, cache.Context, shape.Heads, shape.KeyValueHeads, shape.HeadDim, 1f / MathF.Sqrt(shape.HeadDim), partitions);
        if (partitions > 1)
            _merge(Guard.LaunchSize(output.Length, nameof(output)), partials, output, shape.HeadDim, partitions);
    }

    static void Check(KeyValueCache cache, int start, int rows, AttentionShape shape, ArrayView<Half> query, ArrayView<float> output)
    {
        cache.CheckPositions(start, rows);
        cache.CheckShape(shape);
        Guard.Length(query, (long)rows * shape.QueryWidth, nameof(query));
        Guard.Length(output, (long)rows * shape.QueryWidth, nameof(output));
    }

    ArrayView<float> Partials(long length)
    {
        if (_partials is null || _partials.Length < length)
        {
            _partials?.Dispose();
            _partials = null;   // stays null if the allocation below throws
            _partials = _accelerator.Allocate1D<float>(length);
        }
        return _partials.View.SubView(0, length);
    }

    /// <summary>Frees the scratch buffer of split groups.</summary>
    public void Dispose() => _partials?.Dispose();

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

    // One group per (row, head, partition). Warp w of partition p takes positions p * warps + w, then every
    // partitions * warps-th, with an online softmax (running max, running sum, rescaled accumulator); lanes split
    // head_dim and the dot product is a warp sum. The warps' partial results are merged at the end, into the output
    // (one partition) or into the group's slot of partials (several; merged by MergeKernel).
    static void AttendKernel(ArrayView<Half> query, ArrayView<Half> keys, ArrayView<Half> values, ArrayView<float> output,
        ArrayView<float> partials, int start, int context, int heads, int keyValueHeads, int headDim, float scale, int partitions)
    {
        var shared = SharedMemory.GetDynamic<float>();
        int warps = Group.DimX / Warp.WarpSize;
        int warp = Warp.WarpIdx, lane = Warp.LaneIdx;
        var q = shared.SubView(0, headDim);
        var accumulators = shared.SubView(headDim, warps * headDim);
        var maxima = shared.SubView((warps + 1) * headDim, warps);
        var sums = shared.SubView((warps + 1) * headDim + warps, warps);

        int pair = Grid.IdxX / partitions, partition = Grid.IdxX % partitions;
        int row = pair / heads, head = pair % heads;
        int keyValueHead = head / (heads / keyValueHeads);
        long rowOffset = (long)pair * headDim;
        for (int d = Group.IdxX; d < headDim; d += Group.DimX)
            q[d] = query[rowOffset + d] * scale;
        var accumulator = accumulators.SubView(warp * headDim, headDim);
        for (int d = lane; d < headDim; d += Warp.WarpSize)
            accumulator[d] = 0f;
        Group.Barrier();

        long headOffset = (long)keyValueHead * context * headDim;
        int length = start + row + 1;   // causal: positions 0 .. start + row
        float runningMax = float.NegativeInfinity, runningSum = 0f;
        // Two of the warp's positions per step, t and next = t + stride: both keys and values are loaded and both warp
        // sums run before either is used, so a step waits on one round of memory latency instead of two. The softmax
        // state still takes them one after the other, as the CPU formulation does. next is the same for the whole warp.
        int stride = partitions * warps;
        for (int t = partition * warps + warp; t < length; t += 2 * stride)
        {
            bool hasNext = t + stride < length;
            long keyOffset = headOffset + (long)t * headDim;
            long nextOffset = hasNext ? keyOffset + (long)stride * headDim : keyOffset;
            float partial = 0f, nextPartial = 0f;
            for (int d = lane; d < headDim; d += Warp.WarpSize)
            {
                partial += q[d] * keys[keyOffset + d];
                nextPartial += q[d] * keys[nextOffset + d];
            }
            float score = GroupReduce.WarpSum(partial);
            float nextScore = GroupReduce.WarpSum(nextPartial);

            float newMax = XMath.Max(runningMax, score);
            float correction = XMath.Exp(runningMax - newMax);   // 0 on the first position (exp(-inf))
            float weight = XMath.Exp(score - newMax);
            runningSum = runningSum * correction + weight;
            runningMax = newMax;
            float nextCorrection = 1f, nextWeight = 0f;
            if (hasNext)
            {
                newMax = XMath.Max(runningMax, nextScore);
                nextCorrection = XMath.Exp(runningMax - newMax);
                nextWeight = XMath.Exp(nextScore - newMax);
                runningSum = runningSum * nextCorrection + nextWeight;
                runningMax = newMax;
            }
            for (int d = lane; d < headDim; d += Warp.WarpSize)
            {
                float value = values[keyOffset + d], nextValue = values[nextOffset + d];
                float updated = accumulator[d] * correction + weight * value;
                accumulator[d] = hasNext ? updated * nextCorrection + nextWeight * nextValue : updated;
            }
        }
        if (Warp.IsFirstLane)
        {
            maxima[warp] = runningMax;
            sums[warp] = runningSum;
        }
        Group.Barrier();

        // Warps that saw no position have max -inf, sum 0 and a zero accumulator, and weigh exp(-inf) = 0. Warp 0 of
        // partition 0 always saw position 0; a later partition may have seen none (maximum -inf): its state is empty.
        float maximum = maxima[0];
        for (int w = 1; w < warps; w++) maximum = XMath.Max(maximum, maxima[w]);
        bool empty = maximum == float.NegativeInfinity;
        float total = 0f;
        for (int w = 0; w < warps && !empty; w++) total += sums[w] * XMath.Exp(maxima[w] - maximum);
        long slot = (long)Grid.IdxX * (2 + headDim);
        for (int d = Group.IdxX; d < headDim; d += Group.DimX)
        {
            float sum = 0f;
            for (int w = 0; w < warps && !empty; w++) sum += accumulators[w * headDim + d] * XMath.Exp(maxima[w] - maximum);
            if (partitions == 1) output[rowOffset + d] = sum / total;
            else partials[slot + 2 + d] = sum;
        }
        if (partitions > 1 && Group.IsFirstThread)
        {
            partials[slot] = maximum;
            partials[slot + 1] = total;
        }
    }

    // Thread index -> element d of output row (row, head) = the partitions' accumulators weighed by exp(max_p - max),
    // over their sums weighed alike; partials (row * heads + head, partitions, 2 + head_dim). Both formulations.
    // A thread reads MergeStep partitions per step, their loads issued together, so each pass waits on memory
    // partitions / MergeStep times instead of partitions times (with 32 partitions that was ~28 us per decode layer);
    // the sums still add p = 0, 1, 2, ... in order.
    static void MergeKernel(Index1D index, ArrayView<float> partials, ArrayView<float> output, int headDim, int partitions)
    {
        int d = index % headDim;
        long slotSize = 2 + headDim;
        long first = (long)(index.X / headDim) * partitions * slotSize;
        float maximum = float.NegativeInfinity;
        for (int p = 0; p < partitions; p += MergeStep)
        {
            var (s0, s1, s2, s3) = MergeSlots(first, slotSize, partitions, p);
            // A slot read twice past the last partition changes no max.
            maximum = XMath.Max(maximum, XMath.Max(XMath.Max(partials[s0], partials[s1]), XMath.Max(partials[s2], partials[s3])));
        }
        float total = 0f, sum = 0f;
        for (int p = 0; p < partitions; p += MergeStep)
        {
            var (s0, s1, s2, s3) = MergeSlots(first, slotSize, partitions, p);
            float m0 = partials[s0], m1 = partials[s1], m2 = partials[s2], m3 = partials[s3];
            float t0 = partials[s0 + 1], t1 = partials[s1 + 1], t2 = partials[s2 + 1], t3 = partials[s3 + 1];
            float a0 = partials[s0 + 2 + d], a1 = partials[s1 + 2 + d], a2 = partials[s2 + 2 + d], a3 = partials[s3 + 2 + d];
            AddPartition(ref total, ref sum, maximum, m0, t0, a0);
            if (p + 1 < partitions) AddPartition(ref total, ref sum, maximum, m1, t1, a1);
            if (p + 2 < partitions) AddPartition(ref total, ref sum, maximum, m2, t2, a2);
            if (p + 3 < partitions) AddPartition(ref total, ref sum, maximum, m3, t3, a3);
        }
        output[index] = sum / total;
    }

    /// <summary>Partitions a merge thread reads per step (<see cref="MergeSlots"/> gives four).</summary>
    const int MergeStep = 4;

    /// <summary>The slots of partitions p .. p + 3 in partials; partition p's for those past the last (read, then ignored).</summary>
    static (long, long, long, long) MergeSlots(long first, long slotSize, int partitions, int p)
    {
        long slot = first + p * slotSize;
        return (slot, p + 1 < partitions ? slot + slotSize : slot, p + 2 < partitions ? slot + 2 * slotSize : slot,
            p + 3 < partitions ? slot + 3 * slotSize : slot);
    }

    static void AddPartition(ref float total, ref float sum, float maximum, float partitionMax, float partitionSum, float accumulator)
    {
        float weight = XMath.Exp(partitionMax - maximum);   // 0 for an empty partition (max -inf)
        total += partitionSum * weight;
        sum += accumulator * weight;
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
