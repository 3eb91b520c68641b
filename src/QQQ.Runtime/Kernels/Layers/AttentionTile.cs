using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// The dynamic shared memory of one group of the tiled attention kernels (both formulations), fp32, for head_dim D,
/// rows padded to W = D rounded up to a multiple of 4 so that every row starts 16-byte aligned (one
/// <see cref="Float4"/> load per 4 elements):
/// <list type="bullet">
/// <item>weights (<see cref="Rows"/> / 4, <see cref="Positions"/>, 4): the tile's softmax weights exp(score - running
/// max), position-major per warp: the weights of the warp's 4 rows at one position are one Float4;</item>
/// <item>queries (<see cref="Rows"/>, W): the block's query rows times 1/sqrt(D), zero past D and past its last row;</item>
/// <item>staged (<see cref="Positions"/>, S): the keys, then the values, of one tile of positions, zero past the block's
/// last position. S is W, or W + 4 where W / 4 is even: an odd number of Float4s, so the 8 lanes of a quarter warp
/// reading element group g of their own keys (one 16-byte load each) hit 8 different 4-bank groups;</item>
/// </list>
/// D = 128: W = 128, S = 132, 6784 floats, 27,136 bytes, under the 48 KB of dynamic shared memory a launch gets
/// without opting in. The P·V accumulators live in registers (GPU) or in the output rows (CPU).
/// </summary>
readonly struct AttentionTile
{
    /// <summary>Query rows per group: 4 per warp of the GPU group, each key and value staged once for all of them.</summary>
    public const int Rows = AttentionKernels.Warps * RowsPerWarp;

    /// <summary>Rows each warp owns (its score and P·V loops keep one accumulator per row in registers).</summary>
    public const int RowsPerWarp = 4;

    /// <summary>Positions per staged tile: one per lane, so a row's max and sum over the tile are warp reductions.</summary>
    public const int Positions = 32;

    public static int Floats(int headDim) => Rows * Width(headDim) + Positions * Stride(headDim) + Rows * Positions;

    /// <summary>W: head_dim rounded up to a multiple of 4, the row stride of the queries.</summary>
    public static int Width(int headDim) => (headDim + 3) & ~3;

    /// <summary>S: the row stride of the staged keys and values, an odd number of Float4s.</summary>
    public static int Stride(int headDim) => (Width(headDim) / 4 | 1) * 4;

    public readonly ArrayView<float> Queries, Staged, Weights;
    /// <summary>The same memory as Float4s.</summary>
    public readonly ArrayView<Float4> QueryVectors, StagedVectors, WeightVectors;
    public readonly int HeadDim;

    public AttentionTile(ArrayView<float> shared, int headDim)
    {
        HeadDim = headDim;
        int width = Width(headDim), stride = Stride(headDim);
        Weights = shared.SubView(0, Rows * Positions);
        Queries = shared.SubView(Rows * Positions, Rows * width);
        Staged = shared.SubView(Rows * Positions + Rows * width, Positions * stride);
        // Every view starts at a multiple of 4 floats; the compiler cannot see it through the runtime offsets.
        QueryVectors = Queries.Cast<Float4>().AsAligned16();
        StagedVectors = Staged.Cast<Float4>().AsAligned16();
        WeightVectors = Weights.Cast<Float4>().AsAligned16();
    }

    /// <summary>Float4s per query row (W / 4).</summary>
    public int QueryVectorsPerRow => Width(HeadDim) / 4;

    /// <summary>Float4s per staged row (S / 4).</summary>
    public int StagedVectorsPerRow => Stride(HeadDim) / 4;

    /// <summary>Index in <see cref="Weights"/> of row r's weight of position c.</summary>
    public static int WeightIndex(int r, int c) =>
        (r / RowsPerWarp * Positions + c) * RowsPerWarp + r % RowsPerWarp;

    /// <summary>
    /// Thread <paramref name="thread"/> of <paramref name="threads"/> loads its share of the scaled query rows of
    /// <paramref name="block"/> (query: (rows, heads * head_dim)), zero in the padding.
    /// </summary>
    public void Load(ArrayView<Half> query, QueryBlock block, float scale, int thread, int threads)
    {
        int width = Width(HeadDim);
        for (int e = thread; e < Rows * width; e += threads)
        {
            int r = e / width, d = e - r * width;
            Queries[e] = r < block.Rows && d < HeadDim ? query[block.Offset(r, HeadDim) + d] * scale : 0f;
        }
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
        int padding = Stride(HeadDim) - HeadDim;
        // Element e = c D + d of the tile goes to c S + d = e + c (S - D). Each step adds threads to e, so (c, d) advance
        // by (threads / D, threads % D) and d's carry: no division per element.
        int c = thread / HeadDim, d = thread - c * HeadDim;
        int cStep = threads / HeadDim, dStep = threads - cStep * HeadDim;
        for (int e = thread; e < Positions * HeadDim; e += threads)
        {
            if (e < count) Staged[e + c * padding] = head[offset + e];
            else Staged[e + c * padding] = 0f;
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
