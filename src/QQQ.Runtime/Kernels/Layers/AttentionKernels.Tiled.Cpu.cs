using ILGPU;
using ILGPU.Algorithms;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Kernels.Layers;

// CPU formulation of the tiled Attend: one single-thread group per (block, head), the same AttentionTile in dynamic
// shared memory, the same tiles. Per tile it plays the GPU group's phases one after another: every score as the GPU lane
// sums it (over d in order), then per row the online softmax step (the tile's max: order-free; its sum of weights: the
// warp's butterfly, replayed), then every accumulator element as the GPU lane updates it (positions in order). The
// accumulators are the block's own output rows (the GPU keeps them in registers), divided by the sums at the end.
// Same fp32 operations in the same order: bit-identical results.
public sealed partial class AttentionKernels
{
    /// <summary>Lane c's softmax weight of one row of the tile, as <see cref="SoftmaxRow.Step"/> sums them.</summary>
    readonly struct TileWeights(ArrayView<float> weights, int row) : IThreadValues
    {
        public float Value(int lane) => weights[AttentionTile.WeightIndex(row, lane)];
    }

    static void TiledAttendCpuKernel(ArrayView<Half> query, ArrayView<Half> keys, ArrayView<Half> values, ArrayView<float> output,
        int start, int rows, int context, int heads, int keyValueHeads, int headDim, float scale)
    {
        var tile = new AttentionTile(SharedMemory.GetDynamic<float>(), headDim);
        var block = new QueryBlock(Grid.IdxX, rows, heads);
        long headLength = (long)context * headDim;
        var headKeys = keys.SubView(block.Head / (heads / keyValueHeads) * headLength, headLength);
        var headValues = values.SubView(block.Head / (heads / keyValueHeads) * headLength, headLength);
        tile.Load(query, block, scale, 0, 1);
        int width = AttentionTile.Width(headDim), stride = AttentionTile.Stride(headDim);
        for (int r = 0; r < block.Rows; r++)
            for (int d = 0; d < headDim; d++)
                output[block.Offset(r, headDim) + d] = 0f;

        // Per row of the block: its SoftmaxRow's Max, Sum and Correction.
        var maxima = LocalMemory.Allocate<float>(AttentionTile.Rows);
        var sums = LocalMemory.Allocate<float>(AttentionTile.Rows);
        var corrections = LocalMemory.Allocate<float>(AttentionTile.Rows);
        for (int r = 0; r < AttentionTile.Rows; r++)
        {
            maxima[r] = float.NegativeInfinity;
            sums[r] = 0f;
        }
        int end = start + block.First + block.Rows;
        for (int tileStart = 0; tileStart < end; tileStart += AttentionTile.Positions)
        {
            tile.Stage(headKeys, tileStart, end, 0, 1);
            for (int r = 0; r < AttentionTile.Rows; r++)
            {
                int lastVisible = start + block.First + r;
                float tileMax = float.NegativeInfinity;
                for (int c = 0; c < AttentionTile.Positions; c++)
                {
                    float score = 0f;
                    for (int d = 0; d < headDim; d++)
                        score += tile.Queries[r * width + d] * tile.Staged[c * stride + d];
                    score = tileStart + c <= lastVisible ? score : float.NegativeInfinity;
                    tile.Weights[AttentionTile.WeightIndex(r, c)] = score;
                    tileMax = XMath.Max(tileMax, score);
                }
                float max = XMath.Max(maxima[r], tileMax);
                float correction = XMath.Exp(maxima[r] - max);
                for (int c = 0; c < AttentionTile.Positions; c++)
                {
                    int w = AttentionTile.WeightIndex(r, c);
                    tile.Weights[w] = XMath.Exp(tile.Weights[w] - max);
                }
                sums[r] = sums[r] * correction + ReplayedReductions.WarpSum(new TileWeights(tile.Weights, r), 0);
                maxima[r] = max;
                corrections[r] = correction;
            }
            tile.Stage(headValues, tileStart, end, 0, 1);
            for (int r = 0; r < block.Rows; r++)
                for (int d = 0; d < headDim; d++)
                {
                    long at = block.Offset(r, headDim) + d;
                    float o = output[at] * corrections[r];
                    for (int c = 0; c < AttentionTile.Positions; c++)
                        o += tile.Weights[AttentionTile.WeightIndex(r, c)] * tile.Staged[c * stride + d];
                    output[at] = o;
                }
        }

        for (int r = 0; r < block.Rows; r++)
            for (int d = 0; d < headDim; d++)
                output[block.Offset(r, headDim) + d] /= sums[r];
    }
}
