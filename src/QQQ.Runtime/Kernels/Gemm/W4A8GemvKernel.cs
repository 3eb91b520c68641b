using ILGPU;

namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>
/// Decode path (M &lt;= 4 tokens): memory-bound on the weights, so no tensor cores. A block owns one 32-column
/// tile; its warps split K (warp w takes k-blocks w, w + Warps, ...), each lane loads its 16-byte word group per
/// k-block (the same words a B fragment would use: columns 8j + g, k rows 4t.. and 16 + 4t..), converts them to
/// int8 and accumulates dp4a against the activations of every token. Partial sums (warps x 4 t-lanes) are
/// reduced through shared memory and the epilogue writes two adjacent columns per thread.
/// </summary>
internal static class W4A8GemvKernel
{
    /// <summary>Most tokens this kernel handles (accumulators are four rows of four columns per lane).</summary>
    public const int MaxTokens = 4;

    /// <summary>Warps per block, splitting K. Tuning knob: more warps = more loads in flight per column tile.</summary>
    public const int Warps = 8;

    public const int ThreadsPerBlock = Warps * 32;

    /// <summary>Per lane: MaxTokens rows x 4 columns of partial sums.</summary>
    const int PartialsPerLane = MaxTokens * 4;

    const int PartialInts = ThreadsPerBlock * PartialsPerLane;

    /// <summary>Four rows of four columns (n8 sub-tiles j = 0..3, column 8j + g of the lane).</summary>
    struct RowAccumulators
    {
        public Accumulator Row0, Row1, Row2, Row3;
    }

    /// <summary>A lane's raw weights for one k-block: 4 packed words and (per-group) 4 fp16 scales.</summary>
    struct RawWeights
    {
        public Int4x32 Words;
        public Int2x32 Scales;
    }

    /// <summary>Grid: (N / 32) blocks of <see cref="ThreadsPerBlock"/> threads; no dynamic shared memory.</summary>
    public static void Kernel<TGranularity>(GemmArguments a)
        where TGranularity : struct, IWeightGranularity
    {
        var partials = SharedMemory.Allocate<int>(PartialInts);
        int nt = Grid.IdxX;
        int warp = Group.IdxX >> 5, lane = Group.IdxX & 31;
        int kBlocks = a.K >> 5;

        var acc = default(RowAccumulators);
        int kb = warp;
        if (kb < kBlocks)
        {
            var current = Load<TGranularity>(a, nt, kb, lane);
            while (true)
            {
                // Issue the next k-block's loads before converting and multiplying this one.
                int next = kb + Warps;
                bool more = next < kBlocks;
                var upcoming = more ? Load<TGranularity>(a, nt, next, lane) : current;
                acc = Accumulate<TGranularity>(a, acc, current, kb, lane);
                if (!more) break;
                current = upcoming;
                kb = next;
            }
        }

        int at = Group.IdxX * PartialsPerLane;
        Store(partials, at, acc.Row0);
        Store(partials, at + 4, acc.Row1);
        Store(partials, at + 8, acc.Row2);
        Store(partials, at + 12, acc.Row3);
        Group.Barrier();

        // Thread -> (row, pair of adjacent columns 2p, 2p + 1 of the tile).
        int row = Group.IdxX >> 4, pair = Group.IdxX & 15;
        if (row < a.M && row < MaxTokens)
        {
            int sum0 = Reduce(partials, row, 2 * pair), sum1 = Reduce(partials, row, 2 * pair + 1);
            int col = nt * 32 + 2 * pair;
            float tokenScale = a.TokenScales[row];
            a.Output[(row * a.N + col) >> 1] = DeviceOps.HalfPair(
                W4A8Epilogue.Scale(sum0, a.ChannelScales[col], tokenScale),
                W4A8Epilogue.Scale(sum1, a.ChannelScales[col + 1], tokenScale));
        }
    }

    static RawWeights Load<TGranularity>(GemmArguments a, int nt, int kb, int lane)
        where TGranularity : struct, IWeightGranularity
    {
        int kBlocks = a.K >> 5;
        var raw = default(RawWeights);
        raw.Words = a.Words.Cast<Int4x32>()[(nt * kBlocks + kb) * 32 + lane];
        int groupSize = default(TGranularity).GroupSize;
        if (groupSize != 0)
            raw.Scales = a.GroupScales.Cast<Int2x32>()[((kb * 32 / groupSize) * (a.N >> 5) + nt) * 8 + (lane >> 2)];
        return raw;
    }

    static RowAccumulators Accumulate<TGranularity>(GemmArguments a, RowAccumulators acc, RawWeights raw, int kb, int lane)
        where TGranularity : struct, IWeightGranularity
    {
        var w0 = DeviceOps.ToInt8<TGranularity>(raw.Words.X, raw.Scales.X);
        var w1 = DeviceOps.ToInt8<TGranularity>(raw.Words.Y, raw.Scales.X >>> 16);
        var w2 = DeviceOps.ToInt8<TGranularity>(raw.Words.Z, raw.Scales.Y);
        var w3 = DeviceOps.ToInt8<TGranularity>(raw.Words.W, raw.Scales.Y >>> 16);

        // x[row, 32kb + 4t ..] and x[row, 32kb + 16 + 4t ..] as int32 words.
        int rowWords = a.K >> 2;
        int x = kb * 8 + (lane & 3);
        acc.Row0 = Row(acc.Row0, a.Activations[x], a.Activations[x + 4], w0, w1, w2, w3);
        if (a.M > 1) acc.Row1 = Row(acc.Row1, a.Activations[rowWords + x], a.Activations[rowWords + x + 4], w0, w1, w2, w3);
        if (a.M > 2) acc.Row2 = Row(acc.Row2, a.Activations[2 * rowWords + x], a.Activations[2 * rowWords + x + 4], w0, w1, w2, w3);
        if (a.M > 3) acc.Row3 = Row(acc.Row3, a.Activations[3 * rowWords + x], a.Activations[3 * rowWords + x + 4], w0, w1, w2, w3);
        return acc;
    }

    static Accumulator Row(Accumulator c, int xLo, int xHi, BFragment w0, BFragment w1, BFragment w2, BFragment w3)
    {
        c.C0 = DeviceOps.Dp4a(w0.Hi, xHi, DeviceOps.Dp4a(w0.Lo, xLo, c.C0));
        c.C1 = DeviceOps.Dp4a(w1.Hi, xHi, DeviceOps.Dp4a(w1.Lo, xLo, c.C1));
        c.C2 = DeviceOps.Dp4a(w2.Hi, xHi, DeviceOps.Dp4a(w2.Lo, xLo, c.C2));
        c.C3 = DeviceOps.Dp4a(w3.Hi, xHi, DeviceOps.Dp4a(w3.Lo, xLo, c.C3));
        return c;
    }

    static void Store(ArrayView<int> partials, int at, Accumulator c)
    {
        partials[at] = c.C0;
        partials[at + 1] = c.C1;
        partials[at + 2] = c.C2;
        partials[at + 3] = c.C3;
    }

    /// <summary>Sum of one (row, tile column) over all warps and the 4 t-lanes that share the column.</summary>
    static int Reduce(ArrayView<int> partials, int row, int column)
    {
        int j = column >> 3, g = column & 7;
        int sum = 0;
        for (int warp = 0; warp < Warps; warp++)
        for (int t = 0; t < 4; t++)
            sum += partials[(warp * 32 + 4 * g + t) * PartialsPerLane + 4 * row + j];
        return sum;
    }
}
