using ILGPU;
using ILGPU.Algorithms;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Kernels.Layers;

// Tiled ("flash attention") Attend for prefill: one group per (block of AttentionTile.Rows query rows, query head) walks
// the positions 0 .. start + the block's last row in tiles of AttentionTile.Positions, staging each key and value in
// shared memory once for all rows of the block. The per-row kernel reads every cached key and value again for each row:
// in a 512-row chunk of LLaMA-2-7B on an H100 that was 3.2 of ~4.5 ms per layer.
public sealed partial class AttentionKernels
{
    /// <summary>
    /// The shape rule of the public Attend: tiles from one full block of query rows on, where each staged key and value
    /// serves at least <see cref="AttentionTile.Rows"/> rows. Fewer rows (decode steps) would leave the groups mostly
    /// padding and only one per head: the per-row kernel, which splits their positions over partitions, fills the GPU.
    /// </summary>
    internal static bool UsesTiles(int rows) => rows >= AttentionTile.Rows;

    // Groups of Warps warps. Warp w owns rows 4w .. 4w + 3 of the block and lane c position c of each tile. Per tile:
    // stage the keys; each lane scores its position against the warp's 4 rows (each a sequential fp32 sum over d, one
    // key element read for all 4); an online softmax step per row, the tile's max and sum as warp reductions; stage the
    // values; lane l updates elements l, l + 32, ... of the warp's 4 accumulator rows, adding positions in order.
    // Positions past a row's own (causal) score -inf and weigh 0; rows past the block's last compute on zero queries and
    // are not written.
    static void TiledAttendKernel(ArrayView<Half> query, ArrayView<Half> keys, ArrayView<Half> values, ArrayView<float> output,
        int start, int rows, int context, int heads, int keyValueHeads, int headDim, float scale)
    {
        var tile = new AttentionTile(SharedMemory.GetDynamic<float>(), headDim);
        var block = new QueryBlock(Grid.IdxX, rows, heads);
        long headLength = (long)context * headDim;
        var headKeys = keys.SubView(block.Head / (heads / keyValueHeads) * headLength, headLength);
        var headValues = values.SubView(block.Head / (heads / keyValueHeads) * headLength, headLength);
        tile.Load(query, block, scale, Group.IdxX, Group.DimX);

        int lane = Warp.LaneIdx, first = Warp.WarpIdx * AttentionTile.RowsPerWarp;
        int q0 = first * headDim;                         // the warp's rows in queries and accumulators
        int w0 = first * AttentionTile.Positions;          // ... and in weights
        int lastVisible = start + block.First + first;    // row first sees positions 0 .. lastVisible, row first + 1 one more, ...
        var row0 = SoftmaxRow.Start;
        var row1 = SoftmaxRow.Start;
        var row2 = SoftmaxRow.Start;
        var row3 = SoftmaxRow.Start;
        int end = start + block.First + block.Rows;
        for (int tileStart = 0; tileStart < end; tileStart += AttentionTile.Positions)
        {
            Group.Barrier();   // queries loaded (first tile); every warp done with the previous tile's values and weights
            tile.Stage(headKeys, tileStart, end, Group.IdxX, Group.DimX);
            Group.Barrier();

            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            int key = lane * tile.Stride;
            for (int d = 0; d < headDim; d++)
            {
                float k = tile.Staged[key + d];
                s0 += tile.Queries[q0 + d] * k;
                s1 += tile.Queries[q0 + headDim + d] * k;
                s2 += tile.Queries[q0 + 2 * headDim + d] * k;
                s3 += tile.Queries[q0 + 3 * headDim + d] * k;
            }
            int position = tileStart + lane;
            row0 = SoftmaxRow.Step(row0, position <= lastVisible ? s0 : float.NegativeInfinity);
            row1 = SoftmaxRow.Step(row1, position <= lastVisible + 1 ? s1 : float.NegativeInfinity);
            row2 = SoftmaxRow.Step(row2, position <= lastVisible + 2 ? s2 : float.NegativeInfinity);
            row3 = SoftmaxRow.Step(row3, position <= lastVisible + 3 ? s3 : float.NegativeInfinity);
            tile.Weights[w0 + lane] = row0.Weight;
            tile.Weights[w0 + AttentionTile.Positions + lane] = row1.Weight;
            tile.Weights[w0 + 2 * AttentionTile.Positions + lane] = row2.Weight;
            tile.Weights[w0 + 3 * AttentionTile.Positions + lane] = row3.Weight;
            Group.Barrier();   // every warp done with the keys
            tile.Stage(headValues, tileStart, end, Group.IdxX, Group.DimX);
            Group.Barrier();

            for (int d = lane; d < headDim; d += Warp.WarpSize)
            {
                int at = q0 + d;
                float o0 = tile.Accumulators[at] * row0.Correction;
                float o1 = tile.Accumulators[at + headDim] * row1.Correction;
                float o2 = tile.Accumulators[at + 2 * headDim] * row2.Correction;
                float o3 = tile.Accumulators[at + 3 * headDim] * row3.Correction;
                for (int c = 0; c < AttentionTile.Positions; c++)
                {
                    float v = tile.Staged[c * tile.Stride + d];
                    o0 += tile.Weights[w0 + c] * v;
                    o1 += tile.Weights[w0 + AttentionTile.Positions + c] * v;
                    o2 += tile.Weights[w0 + 2 * AttentionTile.Positions + c] * v;
                    o3 += tile.Weights[w0 + 3 * AttentionTile.Positions + c] * v;
                }
                tile.Accumulators[at] = o0;
                tile.Accumulators[at + headDim] = o1;
                tile.Accumulators[at + 2 * headDim] = o2;
                tile.Accumulators[at + 3 * headDim] = o3;
            }
        }

        // Each accumulator element was last written by the lane that reads it here.
        for (int d = lane; d < headDim; d += Warp.WarpSize)
        {
            WriteOutput(output, tile, block, first, row0.Sum, d);
            WriteOutput(output, tile, block, first + 1, row1.Sum, d);
            WriteOutput(output, tile, block, first + 2, row2.Sum, d);
            WriteOutput(output, tile, block, first + 3, row3.Sum, d);
        }
    }

    /// <summary>Element d of row r of the block, if the block has that row: its accumulator over its softmax sum.</summary>
    static void WriteOutput(ArrayView<float> output, AttentionTile tile, QueryBlock block, int r, float sum, int d)
    {
        if (r < block.Rows) output[block.Offset(r, tile.HeadDim) + d] = tile.Accumulators[r * tile.HeadDim + d] / sum;
    }

    /// <summary>
    /// The online-softmax state of one query row, the same in every lane of the warp that owns the row: after the
    /// tiles so far, their largest score <see cref="Max"/> and <see cref="Sum"/> of exp(score - Max); for the last
    /// tile, the factor exp(previous Max - Max) it applied to the accumulator row and this lane's weight exp(score - Max).
    /// </summary>
    readonly struct SoftmaxRow(float max, float sum, float correction, float weight)
    {
        public static SoftmaxRow Start => new(float.NegativeInfinity, 0f, 0f, 0f);

        public readonly float Max = max, Sum = sum, Correction = correction, Weight = weight;

        /// <summary>
        /// The state after a tile in which this lane's position scored <paramref name="score"/>. Every row sees position
        /// 0 in the first tile, so Max is finite from then on and the first correction is exp(-inf) = 0.
        /// </summary>
        public static SoftmaxRow Step(SoftmaxRow row, float score)
        {
            float max = XMath.Max(row.Max, GroupReduce.WarpMax(score));
            float correction = XMath.Exp(row.Max - max);
            float weight = XMath.Exp(score - max);
            return new SoftmaxRow(max, row.Sum * correction + GroupReduce.WarpSum(weight), correction, weight);
        }
    }
}
