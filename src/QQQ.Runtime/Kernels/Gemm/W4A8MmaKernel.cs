using ILGPU;
using ILGPU.Runtime.Cuda;

namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>
/// Prefill / batched path on int8 tensor cores (mma.sync.m16n8k32.s8). Block = <see cref="BlockRows"/> tokens x
/// (32 * WarpsN) columns. Activations stream through a <see cref="Stages"/>-deep cp.async ring in shared memory
/// (<see cref="StageKBlocks"/> k-blocks per stage, rows padded so fragment loads hit 32 distinct banks). Each warp
/// reads its B fragments straight from global memory (the packed layout is fragment order: one 16-byte load per
/// lane per k-block, prefetched one k-block ahead), converts them to int8 in registers and issues 4 x 4 mma per
/// k-block into a 64 x 32 register tile. The epilogue scales, rounds to fp16 and stores column pairs.
/// On the CPU accelerator the same code runs with the copies done by plain loads and the mma emulated by
/// <see cref="MmaEmulation"/>, so CI checks everything but the PTX instructions themselves.
/// </summary>
internal static class W4A8MmaKernel
{
    /// <summary>Token rows per block and per warp: 4 m16 tiles (fixed by <see cref="WarpAccumulators"/>).</summary>
    public const int BlockRows = 64;

    /// <summary>Columns per warp: 4 n8 tiles, one packed column tile (fixed by <see cref="WarpAccumulators"/>).</summary>
    public const int WarpColumns = 32;

    /// <summary>32-wide k-blocks per pipeline stage (a multiple of every tiling's WarpsK).</summary>
    public const int StageKBlocks = 4;

    /// <summary>cp.async ring depth, 2..4 (cp.async.wait_group takes an immediate, see <see cref="WaitForStages"/>).</summary>
    public const int Stages = 3;

    /// <summary>Bytes per activation row in a stage: 128 data + 16 padding (36 words: rows g = 0..7 start 4 banks apart).</summary>
    const int StageRowBytes = StageKBlocks * 32 + 16;

    const int StageBytes = BlockRows * StageRowBytes;

    /// <summary>Shared memory of the activation ring; also reused for the split-K reduction.</summary>
    public const int PipelineBytes = Stages * StageBytes;

    /// <summary>16-byte chunks per activation row of a stage.</summary>
    const int ChunksPerRow = StageKBlocks * 32 / 16;

    /// <summary>Ints of one warp's accumulators: 32 lanes x 4 x 4 tiles x 4.</summary>
    const int WarpAccumulatorInts = 32 * 64;

    /// <summary>Compile-time range check of <see cref="Stages"/>: the constant divides by zero otherwise.</summary>
    const int StagesCheck = 1 / (Stages >= 2 && Stages <= 4 ? 1 : 0);

    /// <summary>Dynamic shared memory a block needs: the ring, plus the mma emulation scratch on the CPU.</summary>
    public static int SharedBytes<TTiling>(bool emulateMma)
        where TTiling : struct, IMmaTiling
    {
        var tiling = default(TTiling);
        int warps = tiling.WarpsN * tiling.WarpsK;
        if (StageKBlocks % tiling.WarpsK != 0 || (tiling.WarpsK - 1) * tiling.WarpsN * WarpAccumulatorInts * 4 > PipelineBytes)
            throw new InvalidOperationException($"{typeof(TTiling).Name} does not fit the pipeline constants");
        return PipelineBytes + (emulateMma ? warps * MmaEmulation.ScratchIntsPerWarp * 4 : 0);
    }

    /// <summary>Grid: (ceil(N / (32 * WarpsN)), ceil(M / 64)) blocks of 32 * WarpsN * WarpsK threads.</summary>
    public static void Kernel<TGranularity, TTiling>(GemmArguments a)
        where TGranularity : struct, IWeightGranularity
        where TTiling : struct, IMmaTiling
    {
        var tiling = default(TTiling);
        var shared = SharedMemory.GetDynamic<byte>().Cast<int>();
        int warp = Group.IdxX >> 5, lane = Group.IdxX & 31;
        int warpN = warp % tiling.WarpsN, warpK = warp / tiling.WarpsN;
        int blockRow = Grid.IdxY * BlockRows;
        int nt = Grid.IdxX * tiling.WarpsN + warpN;
        bool hasColumns = nt * WarpColumns < a.N;
        int kBlocks = a.K >> 5;
        int stages = (kBlocks + StageKBlocks - 1) / StageKBlocks;

        for (int s = 0; s < Stages - 1; s++)
        {
            if (s < stages) LoadStage(a, shared, s, blockRow);
            CommitStage();
        }

        var acc = default(WarpAccumulators);
        // This warp's k-blocks are warpK, warpK + WarpsK, ... across all stages.
        int kb = warpK;
        var b = hasColumns && kb < kBlocks ? LoadB<TGranularity>(a, nt, kb, lane) : default;
        for (int s = 0; s < stages; s++)
        {
            WaitForStages(Stages - 2);
            // Stage s has landed for every thread, and every warp is done with buffer (s - 1) % Stages,
            // which the next line refills.
            Group.Barrier();
            if (s + Stages - 1 < stages) LoadStage(a, shared, s + Stages - 1, blockRow);
            CommitStage();

            int stageByte = s % Stages * StageBytes;
            for (int kk = warpK; kk < StageKBlocks; kk += tiling.WarpsK)
            {
                if (hasColumns && kb < kBlocks)
                {
                    int nextKb = kb + tiling.WarpsK;
                    var nextB = nextKb < kBlocks ? LoadB<TGranularity>(a, nt, nextKb, lane) : b;
                    var fragments = LoadA(shared, stageByte + kk * 32, lane);
                    acc = MmaWarpTile(acc, fragments, ToInt8<TGranularity>(b), shared, warp, lane);
                    b = nextB;
                }
                kb += tiling.WarpsK;
            }
        }

        if (tiling.WarpsK > 1)
        {
            // Split-K: warps with warpK > 0 park their tiles in the (now idle) ring, warpK == 0 adds them up.
            Group.Barrier();
            if (warpK > 0) WarpAccumulators.Store(shared.SubView(((warpK - 1) * tiling.WarpsN + warpN) * WarpAccumulatorInts + lane), acc);
            Group.Barrier();
            if (warpK == 0)
            {
                for (int w = 1; w < tiling.WarpsK; w++)
                    acc = WarpAccumulators.Add(acc, shared.SubView(((w - 1) * tiling.WarpsN + warpN) * WarpAccumulatorInts + lane));
            }
        }

        if (warpK == 0 && hasColumns) StoreOutput(a, acc, blockRow, nt, lane);
    }

    /// <summary>Copies the activation tile of one stage (64 rows x 128 bytes) into its ring buffer; zero-fills rows past M and bytes past K.</summary>
    static void LoadStage(GemmArguments a, ArrayView<int> shared, int stage, int blockRow)
    {
        int bufferByte = stage % Stages * StageBytes;
        for (int c = Group.IdxX; c < BlockRows * ChunksPerRow; c += Group.DimX)
        {
            int row = c / ChunksPerRow, chunk = c % ChunksPerRow;
            int kByte = stage * StageKBlocks * 32 + chunk * 16;
            bool inside = blockRow + row < a.M && kByte < a.K;
            int sharedByte = bufferByte + row * StageRowBytes + chunk * 16;
            long globalByte = inside ? (long)(blockRow + row) * a.K + kByte : 0;
            if (CudaAsm.IsSupported)
            {
                CudaAsm.Emit(
                    "{\n\t" +
                    ".reg .u64 s, g;\n\t" +
                    "mov.u64 s, __dyn_shared_alloca;\n\t" +
                    "add.u64 s, s, %0;\n\t" +
                    "cvta.to.global.u64 g, %1;\n\t" +
                    "cp.async.cg.shared.global [s], [g], 16, %2;\n\t" +
                    "}",
                    (long)sharedByte, a.ActivationsAddress + globalByte, inside ? 16 : 0);
            }
            else
            {
                int to = sharedByte >> 2, from = (int)(globalByte >> 2);
                for (int i = 0; i < 4; i++) shared[to + i] = inside ? a.Activations[from + i] : 0;
            }
        }
    }

    static void CommitStage()
    {
        if (CudaAsm.IsSupported) CudaAsm.Emit("cp.async.commit_group;");
    }

    /// <summary>
    /// Waits until at most <paramref name="pending"/> committed copy groups are in flight; called with
    /// Stages - 2 it means the oldest stage has landed. The count must be an immediate in PTX, hence one
    /// string per value (ILGPU folds the comparisons).
    /// </summary>
    static void WaitForStages(int pending)
    {
        if (!CudaAsm.IsSupported) return;
        if (pending == 0) CudaAsm.Emit("cp.async.wait_group 0;");
        if (pending == 1) CudaAsm.Emit("cp.async.wait_group 1;");
        if (pending == 2) CudaAsm.Emit("cp.async.wait_group 2;");
    }

    /// <summary>A lane's raw B data for one k-block of its column tile: 4 packed words (n8 sub-tiles 0..3) and their fp16 group scales.</summary>
    struct RawB
    {
        public Int4x32 Words;
        public Int2x32 Scales;
    }

    static RawB LoadB<TGranularity>(GemmArguments a, int nt, int kb, int lane)
        where TGranularity : struct, IWeightGranularity
    {
        var raw = default(RawB);
        raw.Words = a.Words.Cast<Int4x32>()[(nt * (a.K >> 5) + kb) * 32 + lane];
        int groupSize = default(TGranularity).GroupSize;
        if (groupSize != 0)
            raw.Scales = a.GroupScales.Cast<Int2x32>()[((kb * 32 / groupSize) * (a.N >> 5) + nt) * 8 + (lane >> 2)];
        return raw;
    }

    static BFragments ToInt8<TGranularity>(RawB raw)
        where TGranularity : struct, IWeightGranularity => new()
    {
        N0 = DeviceOps.ToInt8<TGranularity>(raw.Words.X, raw.Scales.X),
        N1 = DeviceOps.ToInt8<TGranularity>(raw.Words.Y, raw.Scales.X >>> 16),
        N2 = DeviceOps.ToInt8<TGranularity>(raw.Words.Z, raw.Scales.Y),
        N3 = DeviceOps.ToInt8<TGranularity>(raw.Words.W, raw.Scales.Y >>> 16),
    };

    /// <summary>A fragments of the 4 m16 tiles for the k-block starting at <paramref name="byteOffset"/> of the stage.</summary>
    static AFragments LoadA(ArrayView<int> shared, int byteOffset, int lane)
    {
        int g = lane >> 2, t = lane & 3;
        int at = (byteOffset + g * StageRowBytes + 4 * t) >> 2;
        return new AFragments
        {
            M0 = LoadA(shared, at),
            M1 = LoadA(shared, at + 16 * StageRowBytes / 4),
            M2 = LoadA(shared, at + 32 * StageRowBytes / 4),
            M3 = LoadA(shared, at + 48 * StageRowBytes / 4),
        };
    }

    static AFragment LoadA(ArrayView<int> shared, int at) => new()
    {
        R0 = shared[at],
        R1 = shared[at + 8 * StageRowBytes / 4],
        R2 = shared[at + 4],
        R3 = shared[at + 8 * StageRowBytes / 4 + 4],
    };

    /// <summary>The warp's 4 x 4 mma for one k-block; on the CPU emulated in the scratch that follows the ring.</summary>
    static WarpAccumulators MmaWarpTile(WarpAccumulators acc, AFragments a, BFragments b, ArrayView<int> shared, int warp, int lane)
    {
        if (!CudaAsm.IsSupported)
            return MmaEmulation.WarpTile(acc, a, b, shared.SubView(PipelineBytes / 4 + warp * MmaEmulation.ScratchIntsPerWarp), lane);
        acc.C00 = DeviceOps.Mma(acc.C00, a.M0, b.N0);
        acc.C01 = DeviceOps.Mma(acc.C01, a.M0, b.N1);
        acc.C02 = DeviceOps.Mma(acc.C02, a.M0, b.N2);
        acc.C03 = DeviceOps.Mma(acc.C03, a.M0, b.N3);
        acc.C10 = DeviceOps.Mma(acc.C10, a.M1, b.N0);
        acc.C11 = DeviceOps.Mma(acc.C11, a.M1, b.N1);
        acc.C12 = DeviceOps.Mma(acc.C12, a.M1, b.N2);
        acc.C13 = DeviceOps.Mma(acc.C13, a.M1, b.N3);
        acc.C20 = DeviceOps.Mma(acc.C20, a.M2, b.N0);
        acc.C21 = DeviceOps.Mma(acc.C21, a.M2, b.N1);
        acc.C22 = DeviceOps.Mma(acc.C22, a.M2, b.N2);
        acc.C23 = DeviceOps.Mma(acc.C23, a.M2, b.N3);
        acc.C30 = DeviceOps.Mma(acc.C30, a.M3, b.N0);
        acc.C31 = DeviceOps.Mma(acc.C31, a.M3, b.N1);
        acc.C32 = DeviceOps.Mma(acc.C32, a.M3, b.N2);
        acc.C33 = DeviceOps.Mma(acc.C33, a.M3, b.N3);
        return acc;
    }

    static void StoreOutput(GemmArguments a, WarpAccumulators acc, int blockRow, int nt, int lane)
    {
        int row = blockRow + (lane >> 2), col = nt * WarpColumns + 2 * (lane & 3);
        StoreTile(a, acc.C00, row, col);
        StoreTile(a, acc.C01, row, col + 8);
        StoreTile(a, acc.C02, row, col + 16);
        StoreTile(a, acc.C03, row, col + 24);
        StoreTile(a, acc.C10, row + 16, col);
        StoreTile(a, acc.C11, row + 16, col + 8);
        StoreTile(a, acc.C12, row + 16, col + 16);
        StoreTile(a, acc.C13, row + 16, col + 24);
        StoreTile(a, acc.C20, row + 32, col);
        StoreTile(a, acc.C21, row + 32, col + 8);
        StoreTile(a, acc.C22, row + 32, col + 16);
        StoreTile(a, acc.C23, row + 32, col + 24);
        StoreTile(a, acc.C30, row + 48, col);
        StoreTile(a, acc.C31, row + 48, col + 8);
        StoreTile(a, acc.C32, row + 48, col + 16);
        StoreTile(a, acc.C33, row + 48, col + 24);
    }

    /// <summary>Writes one C fragment: rows <paramref name="row"/> and row + 8, columns col and col + 1.</summary>
    static void StoreTile(GemmArguments a, Accumulator c, int row, int col)
    {
        float s0 = a.ChannelScales[col], s1 = a.ChannelScales[col + 1];
        if (row < a.M)
        {
            float tokenScale = a.TokenScales[row];
            a.Output[(row * a.N + col) >> 1] = DeviceOps.HalfPair(
                W4A8Epilogue.Scale(c.C0, s0, tokenScale), W4A8Epilogue.Scale(c.C1, s1, tokenScale));
        }
        if (row + 8 < a.M)
        {
            float tokenScale = a.TokenScales[row + 8];
            a.Output[((row + 8) * a.N + col) >> 1] = DeviceOps.HalfPair(
                W4A8Epilogue.Scale(c.C2, s0, tokenScale), W4A8Epilogue.Scale(c.C3, s1, tokenScale));
        }
    }
}
