using ILGPU;
using ILGPU.Algorithms;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// The dynamic shared memory of one group of the tiled attention kernels (both formulations), fp32, for head_dim D:
/// <list type="bullet">
/// <item>queries (<see cref="Rows"/>, D): the block's query rows times 1/sqrt(D), zero past its last row;</item>
/// <item>accumulators (<see cref="Rows"/>, D): the running P·V rows;</item>
/// <item>staged (<see cref="Positions"/>, D + 1): the keys, then the values, of one tile of positions, zero past the block's
/// last position. The odd row stride D + 1 (D is even) puts element d of lane c's key in bank (c (D + 1) + d) mod 32:
/// the 32 lanes reading their keys hit 32 different banks;</item>
/// <item>weights (<see cref="Rows"/>, <see cref="Positions"/>): the tile's softmax weights exp(score - running max).</item>
/// </list>
/// D = 128: 8736 floats, 34,944 bytes, under the 48 KB of dynamic shared memory a launch gets without opting in.
/// </summary>
readonly struct AttentionTile
{
    /// <summary>Query rows per group: 4 per warp of the GPU group, each key and value staged once for all of them.</summary>
    public const int Rows = AttentionKernels.Warps * RowsPerWarp;

    /// <summary>Rows each warp owns (its score and P·V loops keep one accumulator per row in registers).</summary>
    public const int RowsPerWarp = 4;

    /// <summary>Positions per staged tile: one per lane, so a row's max and sum over the tile are warp reductions.</summary>
    public const int Positions = 32;

    public static int Floats(int headDim) => 2 * Rows * headDim + Positions * (headDim + 1) + Rows * Positions;

    public readonly ArrayView<float> Queries, Accumulators, Staged, Weights;
    public readonly int HeadDim;

    public AttentionTile(ArrayView<float> shared, int headDim)
    {
        HeadDim = headDim;
        Queries = shared.SubView(0, Rows * headDim);
        Accumulators = shared.SubView(Rows * headDim, Rows * headDim);
        Staged = shared.SubView(2 * Rows * headDim, Positions * Stride);
        Weights = shared.SubView(2 * Rows * headDim + Positions * Stride, Rows * Positions);
    }

    /// <summary>Row stride of <see cref="Staged"/>.</summary>
    public int Stride => HeadDim + 1;

    /// <summary>
    /// Thread <paramref name="thread"/> of <paramref name="threads"/> loads its share of the scaled query rows of
    /// <paramref name="block"/> (query: (rows, heads * head_dim)) and zeroes its share of the accumulators.
    /// </summary>
    public void Load(ArrayView<Half> query, QueryBlock block, float scale, int thread, int threads)
    {
        int loaded = block.Rows * HeadDim;
        for (int e = thread; e < loaded; e += threads)
        {
            int r = e / HeadDim;
            Queries[e] = query[block.Offset(r, HeadDim) + e - r * HeadDim] * scale;
        }
        for (int e = loaded + thread; e < Rows * HeadDim; e += threads)
            Queries[e] = 0f;
        for (int e = thread; e < Rows * HeadDim; e += threads)
            Accumulators[e] = 0f;
    }

    /// <summary>
    /// Thread <paramref name="thread"/> of <paramref name="threads"/> stages its share of positions first .. first +
    /// <see cref="Positions"/> - 1 of one kv head (<paramref name="head"/>: that head's (context, head_dim) rows of the
    /// cache), zeros from <paramref name="end"/> on: the cache holds nothing there yet (and may end), and a zero value
    /// weighs nothing.
    /// </summary>
    public void Stage(ArrayView<Half> head, int first, int end, int thread, int threads)
    {
        int count = XMath.Min(Positions, end - first) * HeadDim;
        long offset = (long)first * HeadDim;
        // Element e = c D + d of the tile goes to c (D + 1) + d = e + c. Each step adds threads to e, so (c, d) advance by
        // (threads / D, threads % D) and d's carry: no division per element.
        int c = thread / HeadDim, d = thread - c * HeadDim;
        int cStep = threads / HeadDim, dStep = threads - cStep * HeadDim;
        for (int e = thread; e < Positions * HeadDim; e += threads)
        {
            if (e < count) Staged[e + c] = head[offset + e];
            else Staged[e + c] = 0f;
            c += cStep;
            d += dStep;
            if (d >= HeadDim)
            {
                d -= HeadDim;
                c++;
            }
        }
    }
}

/// <summary>
/// The query rows and head one group of the tiled kernels computes: rows First .. First + Rows - 1 (at most
/// <see cref="AttentionTile.Rows"/>) of head Head. Groups are numbered so that the blocks with the longest causal
/// ranges come first: the GPU starts them first, rather than ending the launch on them.
/// </summary>
readonly struct QueryBlock
{
    public readonly int First, Rows, Head, Heads;

    public QueryBlock(int group, int rows, int heads)
    {
        int blocks = (rows + AttentionTile.Rows - 1) / AttentionTile.Rows;
        First = (blocks - 1 - group / heads) * AttentionTile.Rows;
        Rows = XMath.Min(AttentionTile.Rows, rows - First);
        Head = group % heads;
        Heads = heads;
    }

    /// <summary>Offset of row r of the block in a (rows, heads * head_dim) matrix.</summary>
    public long Offset(int r, int headDim) => ((long)(First + r) * Heads + Head) * headDim;
}
