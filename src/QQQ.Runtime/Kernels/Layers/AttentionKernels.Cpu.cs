using ILGPU;
using ILGPU.Algorithms;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Kernels.Layers;

// CPU formulation: single-thread groups. Append: one group per new token row. Attend: one group per (row, head, partition)
// that plays the GPU group's Warps warps one after another: warp w's online softmax over positions p * Warps + w, then
// every partitions * Warps-th,
// each score the replayed warp sum of the lanes' partial dot products (lane l: dims l, l + 32, ...), then the same
// merge. Same layout of dynamic shared memory, same fp32 operations in the same order: bit-identical results.
public sealed partial class AttentionKernels
{
    static void AppendCpuKernel(ArrayView<Half> key, ArrayView<Half> value, ArrayView<Half> keys, ArrayView<Half> values,
        int start, int context, int keyValueHeads, int headDim)
    {
        int row = Grid.IdxX;
        for (int head = 0; head < keyValueHeads; head++)
        {
            long source = ((long)row * keyValueHeads + head) * headDim;
            long target = ((long)head * context + start + row) * headDim;
            for (int d = 0; d < headDim; d++)
            {
                keys[target + d] = key[source + d];
                values[target + d] = value[source + d];
            }
        }
    }

    /// <summary>Lane l's partial dot product of the scaled query with one cached key in <see cref="AttendKernel"/>.</summary>
    readonly struct ScorePartials(ArrayView<float> q, ArrayView<Half> keys, long keyOffset, int headDim) : IThreadValues
    {
        public float Value(int lane)
        {
            float partial = 0f;
            for (int d = lane; d < headDim; d += ReplayedReductions.WarpSize)
                partial += q[d] * keys[keyOffset + d];
            return partial;
        }
    }

    static void AttendCpuKernel(ArrayView<Half> query, ArrayView<Half> keys, ArrayView<Half> values, ArrayView<float> output,
        ArrayView<float> partials, int start, int context, int heads, int keyValueHeads, int headDim, float scale, int partitions)
    {
        var shared = SharedMemory.GetDynamic<float>();
        var q = shared.SubView(0, headDim);
        var accumulators = shared.SubView(headDim, Warps * headDim);
        var maxima = shared.SubView((Warps + 1) * headDim, Warps);
        var sums = shared.SubView((Warps + 1) * headDim + Warps, Warps);

        int pair = Grid.IdxX / partitions, partition = Grid.IdxX % partitions;
        int row = pair / heads, head = pair % heads;
        int keyValueHead = head / (heads / keyValueHeads);
        long rowOffset = (long)pair * headDim;
        for (int d = 0; d < headDim; d++)
            q[d] = query[rowOffset + d] * scale;

        long headOffset = (long)keyValueHead * context * headDim;
        int length = start + row + 1;   // causal: positions 0 .. start + row
        for (int warp = 0; warp < Warps; warp++)
        {
            var accumulator = accumulators.SubView(warp * headDim, headDim);
            for (int d = 0; d < headDim; d++)
                accumulator[d] = 0f;
            float runningMax = float.NegativeInfinity, runningSum = 0f;
            for (int t = partition * Warps + warp; t < length; t += partitions * Warps)
            {
                long keyOffset = headOffset + (long)t * headDim;
                float score = ReplayedReductions.WarpSum(new ScorePartials(q, keys, keyOffset, headDim), 0);
                float newMax = XMath.Max(runningMax, score);
                float correction = XMath.Exp(runningMax - newMax);
                float weight = XMath.Exp(score - newMax);
                runningSum = runningSum * correction + weight;
                for (int d = 0; d < headDim; d++)
                    accumulator[d] = accumulator[d] * correction + weight * values[keyOffset + d];
                runningMax = newMax;
            }
            maxima[warp] = runningMax;
            sums[warp] = runningSum;
        }

        float maximum = maxima[0];
        for (int w = 1; w < Warps; w++) maximum = XMath.Max(maximum, maxima[w]);
        bool empty = maximum == float.NegativeInfinity;
        float total = 0f;
        for (int w = 0; w < Warps && !empty; w++) total += sums[w] * XMath.Exp(maxima[w] - maximum);
        long slot = (long)Grid.IdxX * (2 + headDim);
        for (int d = 0; d < headDim; d++)
        {
            float sum = 0f;
            for (int w = 0; w < Warps && !empty; w++) sum += accumulators[w * headDim + d] * XMath.Exp(maxima[w] - maximum);
            if (partitions == 1) output[rowOffset + d] = sum / total;
            else partials[slot + 2 + d] = sum;
        }
        if (partitions > 1)
        {
            partials[slot] = maximum;
            partials[slot + 1] = total;
        }
    }
}
