using ILGPU;
using ILGPU.Algorithms;

namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>
/// The W4A8 GEMM formulated for ILGPU's CPU accelerator: groups of one thread, each owning one pair of adjacent
/// output columns (one int32 of the fp16 output) for a block of up to <see cref="RowsPerThread"/> tokens, with
/// plain loops over K. Column n = 32 nt + 8 j + g sits in sub-tile j of lanes 4g + t (t = 0..3) of its column
/// tile (<see cref="W4A8Layout"/>); an even n and n + 1 share nt and j. Each packed word goes through
/// <see cref="DeviceOps.ToInt8{TGranularity}"/> (the managed conversion the GPU kernels use on the CPU), the int32
/// sums are exact and the epilogue is <see cref="W4A8Epilogue"/> with round-to-nearest-even fp16, so the output is
/// bit-identical to <see cref="W4A8GemmReference"/> and to the GPU kernels.
/// </summary>
internal static class W4A8CpuKernel
{
    /// <summary>Tokens per thread: each converted weight word serves this many rows.</summary>
    public const int RowsPerThread = 4;

    /// <summary>Grid: (N / 2) * ceil(M / <see cref="RowsPerThread"/>) groups of one thread.</summary>
    public static int Groups(int m, int n) => n / 2 * ((m + RowsPerThread - 1) / RowsPerThread);

    /// <summary>Two columns' int32 accumulators of one token row.</summary>
    struct ColumnPair
    {
        public int Low, High;
    }

    /// <summary>Group i: column pair i % (N / 2), row block i / (N / 2).</summary>
    public static void Kernel<TGranularity>(GemmArguments a)
        where TGranularity : struct, IWeightGranularity
    {
        int pairs = a.N >> 1;
        int n = 2 * (Grid.IdxX % pairs), firstRow = Grid.IdxX / pairs * RowsPerThread;
        int nt = n >> 5, j = (n >> 3) & 3, g = n & 7;
        int rows = XMath.Min(RowsPerThread, a.M - firstRow);
        int kBlocks = a.K >> 5, rowWords = a.K >> 2;
        int groupSize = default(TGranularity).GroupSize;

        ColumnPair r0 = default, r1 = default, r2 = default, r3 = default;
        for (int kb = 0; kb < kBlocks; kb++)
        {
            int scaleLow = 0, scaleHigh = 0;
            if (groupSize != 0)
            {
                // Packed scales (K/G, N/32, 8 g, 2 ints): j0 | j1 << 16, j2 | j3 << 16; lane group g + 1 is the next 2 ints.
                int at = (((kb * 32 / groupSize) * (a.N >> 5) + nt) * 8 + g) * 2 + (j >> 1);
                int shift = (j & 1) * 16;
                scaleLow = a.GroupScales[at] >>> shift;
                scaleHigh = a.GroupScales[at + 2] >>> shift;
            }
            for (int t = 0; t < 4; t++)
            {
                var low = DeviceOps.ToInt8<TGranularity>(a.Words[W4A8Layout.WordIndex(nt, kb, 4 * g + t, j, kBlocks)], scaleLow);
                var high = DeviceOps.ToInt8<TGranularity>(a.Words[W4A8Layout.WordIndex(nt, kb, 4 * (g + 1) + t, j, kBlocks)], scaleHigh);
                // x[row, 32 kb + 4t ..] and x[row, 32 kb + 16 + 4t ..] as int32 words.
                int x = firstRow * rowWords + kb * 8 + t;
                r0 = Step(r0, low, high, a.Activations[x], a.Activations[x + 4]);
                if (rows > 1) r1 = Step(r1, low, high, a.Activations[x + rowWords], a.Activations[x + rowWords + 4]);
                if (rows > 2) r2 = Step(r2, low, high, a.Activations[x + 2 * rowWords], a.Activations[x + 2 * rowWords + 4]);
                if (rows > 3) r3 = Step(r3, low, high, a.Activations[x + 3 * rowWords], a.Activations[x + 3 * rowWords + 4]);
            }
        }

        Store(a, r0, firstRow, n);
        if (rows > 1) Store(a, r1, firstRow + 1, n);
        if (rows > 2) Store(a, r2, firstRow + 2, n);
        if (rows > 3) Store(a, r3, firstRow + 3, n);
    }

    static ColumnPair Step(ColumnPair c, BFragment low, BFragment high, int xLo, int xHi)
    {
        c.Low += DeviceOps.Dot4(low.Lo, xLo) + DeviceOps.Dot4(low.Hi, xHi);
        c.High += DeviceOps.Dot4(high.Lo, xLo) + DeviceOps.Dot4(high.Hi, xHi);
        return c;
    }

    static void Store(GemmArguments a, ColumnPair c, int row, int n)
    {
        float tokenScale = a.TokenScales[row];
        a.Output[(row * a.N + n) >> 1] = DeviceOps.HalfPair(
            W4A8Epilogue.Scale(c.Low, a.ChannelScales[n], tokenScale),
            W4A8Epilogue.Scale(c.High, a.ChannelScales[n + 1], tokenScale));
    }
}
