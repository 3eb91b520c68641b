using ILGPU;
using ILGPU.Algorithms;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Kernels.Layers;

// Tiled ("flash attention") Attend for prefill: one group per (block of AttentionTile.Rows query rows, query head) walks
// the positions 0 .. start + the block's last row in tiles of AttentionTile.Positions, staging each key and value in
// shared memory once for all rows of the block. The per-row kernel reads every cached key and value again for each row:
// in a 512-row chunk of LLaMA-2-7B on an H100 that was 3.2 of ~4.5 ms per layer. The inner loops read shared memory
// as Float4s (ld.shared.v4) and keep the P·V accumulators in registers: at head_dim 128, 5 shared loads per 16 FMAs in
// the scores, 2 per 16 in P·V.
public sealed partial class AttentionKernels
{
    /// <summary>
    /// The shape rule of the public Attend: tiles from one full block of query rows on, where each staged key and value
    /// serves at least <see cref="AttentionTile.Rows"/> rows. Fewer rows (decode steps) would leave the groups mostly
    /// padding and only one per head: the per-row kernel, which splits their positions over partitions, fills the GPU.
    /// </summary>
    internal static bool UsesTiles(int rows) => rows >= AttentionTile.Rows;

    // Groups of Warps warps. Warp w owns rows 4w .. 4w + 3 of the block and lane c position c of each tile. Per tile:
    // stage the keys; each lane scores its position against the warp's 4 rows, each score a sequential fp32 sum over d,
    // read 4 elements at a time (one Float4 of its key and one of each query row: 5 shared loads per 16 FMAs); an online
    // softmax step per row, the tile's max and sum as warp reductions; each lane stores its 4 weights as one Float4;
    // stage the values; lane l updates its accumulators, rows 4w .. 4w + 3 times dims 4l .. 4l + 3 (and 128 + 4l ..
    // 131 + 4l where head_dim > 128), in registers: per position, one Float4 of weights and one of values for 16 FMAs.
    // Positions past a row's own (causal) score -inf and weigh 0; rows past the block's last compute on zero queries and
    // are not written. TLanes fixes how many Float4s of dims each lane owns (head_dim up to 128 or 256), so that the
    // accumulators are registers the compiler knows.
    static void TiledAttendKernel<TLanes>(ArrayView<Half> query, ArrayView<Half> keys, ArrayView<Half> values, ArrayView<float> output,
        int start, int rows, int context, int heads, int keyValueHeads, int headDim, float scale)
        where TLanes : struct, ILaneVectors
    {
        var tile = new AttentionTile(SharedMemory.GetDynamic<float>(), headDim);
        var block = new QueryBlock(Grid.IdxX, rows, heads);
        long headLength = (long)context * headDim;
        var headKeys = keys.SubView(block.Head / (heads / keyValueHeads) * headLength, headLength);
        var headValues = values.SubView(block.Head / (heads / keyValueHeads) * headLength, headLength);
        tile.Load(query, block, scale, Group.IdxX, Group.DimX);

        int lane = Warp.LaneIdx, first = Warp.WarpIdx * AttentionTile.RowsPerWarp;
        int rowVectors = tile.QueryVectorsPerRow, keyVectors = tile.StagedVectorsPerRow;
        int q0 = first * rowVectors;                                    // the warp's first row, in Float4s
        int w0 = Warp.WarpIdx * AttentionTile.Positions;               // the warp's weights, in Float4s
        int fullVectors = headDim / 4;                                  // the last one holds 2 dims where head_dim % 4 = 2
        int lastVisible = start + block.First + first;    // row first sees positions 0 .. lastVisible, row first + 1 one more, ...
        var row0 = SoftmaxRow.Start;
        var row1 = SoftmaxRow.Start;
        var row2 = SoftmaxRow.Start;
        var row3 = SoftmaxRow.Start;
        var low = default(LaneAccumulators);
        var high = default(LaneAccumulators);
        bool hasHigh = default(TLanes).Count > 1;
        int end = start + block.First + block.Rows;
        for (int tileStart = 0; tileStart < end; tileStart += AttentionTile.Positions)
        {
            Group.Barrier();   // queries loaded (first tile); every warp done with the previous tile's values
            tile.Stage(headKeys, tileStart, end, Group.IdxX, Group.DimX);
            Group.Barrier();

            float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
            int key = lane * keyVectors;
            for (int g = 0; g < fullVectors; g++)
            {
                var k = tile.StagedVectors[key + g];
                s0 = Float4.AddProducts(s0, tile.QueryVectors[q0 + g], k);
                s1 = Float4.AddProducts(s1, tile.QueryVectors[q0 + rowVectors + g], k);
                s2 = Float4.AddProducts(s2, tile.QueryVectors[q0 + 2 * rowVectors + g], k);
                s3 = Float4.AddProducts(s3, tile.QueryVectors[q0 + 3 * rowVectors + g], k);
            }
            if (fullVectors < rowVectors)
            {
                var k = tile.StagedVectors[key + fullVectors];
                s0 = Float4.AddProductsXY(s0, tile.QueryVectors[q0 + fullVectors], k);
                s1 = Float4.AddProductsXY(s1, tile.QueryVectors[q0 + rowVectors + fullVectors], k);
                s2 = Float4.AddProductsXY(s2, tile.QueryVectors[q0 + 2 * rowVectors + fullVectors], k);
                s3 = Float4.AddProductsXY(s3, tile.QueryVectors[q0 + 3 * rowVectors + fullVectors], k);
            }
            int position = tileStart + lane;
            row0 = SoftmaxRow.Step(row0, position <= lastVisible ? s0 : float.NegativeInfinity);
            row1 = SoftmaxRow.Step(row1, position <= lastVisible + 1 ? s1 : float.NegativeInfinity);
            row2 = SoftmaxRow.Step(row2, position <= lastVisible + 2 ? s2 : float.NegativeInfinity);
            row3 = SoftmaxRow.Step(row3, position <= lastVisible + 3 ? s3 : float.NegativeInfinity);
            tile.WeightVectors[w0 + lane] = new Float4(row0.Weight, row1.Weight, row2.Weight, row3.Weight);
            Group.Barrier();   // every warp done with the keys
            tile.Stage(headValues, tileStart, end, Group.IdxX, Group.DimX);
            Group.Barrier();

            var corrections = new Float4(row0.Correction, row1.Correction, row2.Correction, row3.Correction);
            if (lane < rowVectors)
                low = low.Add(tile, w0, lane, corrections);
            if (hasHigh && lane + Warp.WarpSize < rowVectors)
                high = high.Add(tile, w0, lane + Warp.WarpSize, corrections);
        }

        var sums = new Float4(row0.Sum, row1.Sum, row2.Sum, row3.Sum);
        low.Write(output, block, first, lane, headDim, sums);
        if (hasHigh) high.Write(output, block, first, lane + Warp.WarpSize, headDim, sums);
    }

    /// <summary>How many Float4s of head dims each lane of the tiled kernel owns: a compile-time constant per instantiation.</summary>
    interface ILaneVectors
    {
        int Count { get; }
    }

    /// <summary>head_dim up to 128: dims 4l .. 4l + 3.</summary>
    readonly struct OneVectorPerLane : ILaneVectors
    {
        public int Count => 1;
    }

    /// <summary>head_dim up to 256: also dims 128 + 4l .. 131 + 4l.</summary>
    readonly struct TwoVectorsPerLane : ILaneVectors
    {
        public int Count => 2;
    }

    /// <summary>Largest head_dim the tiled kernel takes (<see cref="TwoVectorsPerLane"/>).</summary>
    internal const int MaxTiledHeadDim = 2 * 4 * 32;

    /// <summary>
    /// One lane's running P·V over the warp's 4 rows (Row0 .. Row3) for one Float4 of dims: in registers across tiles.
    /// </summary>
    readonly struct LaneAccumulators(Float4 row0, Float4 row1, Float4 row2, Float4 row3)
    {
        public readonly Float4 Row0 = row0, Row1 = row1, Row2 = row2, Row3 = row3;

        /// <summary>
        /// After one tile of values: each element times its row's correction, then positions 0 .. 31 of the tile added
        /// in order (Float4 <paramref name="vector"/> of each staged value row, the warp's weights from Float4
        /// <paramref name="weights"/> of <see cref="AttentionTile.WeightVectors"/>).
        /// </summary>
        public LaneAccumulators Add(AttentionTile tile, int weights, int vector, Float4 corrections)
        {
            var o0 = Row0.Times(corrections.X);
            var o1 = Row1.Times(corrections.Y);
            var o2 = Row2.Times(corrections.Z);
            var o3 = Row3.Times(corrections.W);
            int stride = tile.StagedVectorsPerRow;
            for (int c = 0; c < AttentionTile.Positions; c++)
            {
                var w = tile.WeightVectors[weights + c];
                var v = tile.StagedVectors[c * stride + vector];
                o0 = o0.PlusWeighted(w.X, v);
                o1 = o1.PlusWeighted(w.Y, v);
                o2 = o2.PlusWeighted(w.Z, v);
                o3 = o3.PlusWeighted(w.W, v);
            }
            return new LaneAccumulators(o0, o1, o2, o3);
        }

        /// <summary>Rows first .. first + 3 (those the block has), dims 4 vector .. 4 vector + 3 (those under head_dim): over the row's softmax sum.</summary>
        public void Write(ArrayView<float> output, QueryBlock block, int first, int vector, int headDim, Float4 sums)
        {
            WriteRow(output, block, first, vector, headDim, Row0, sums.X);
            WriteRow(output, block, first + 1, vector, headDim, Row1, sums.Y);
            WriteRow(output, block, first + 2, vector, headDim, Row2, sums.Z);
            WriteRow(output, block, first + 3, vector, headDim, Row3, sums.W);
        }

        static void WriteRow(ArrayView<float> output, QueryBlock block, int r, int vector, int headDim, Float4 row, float sum)
        {
            int d = 4 * vector;
            if (r >= block.Rows || d >= headDim) return;
            long at = block.Offset(r, headDim) + d;
            output[at] = row.X / sum;
            output[at + 1] = row.Y / sum;
            if (d + 2 < headDim)
            {
                output[at + 2] = row.Z / sum;
                output[at + 3] = row.W / sum;
            }
        }
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
