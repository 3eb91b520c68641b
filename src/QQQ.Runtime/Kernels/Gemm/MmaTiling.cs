namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>
/// Warp arrangement of a <see cref="W4A8MmaKernel"/> block, as a generic type argument so it folds to constants.
/// Every warp computes a 64 x 32 tile; <see cref="WarpsN"/> warps sit side by side along N and share the
/// block's activation tile, <see cref="WarpsK"/> warps split each pipeline stage's k-blocks and are summed
/// through shared memory at the end.
/// </summary>
internal interface IMmaTiling
{
    int WarpsN { get; }
    int WarpsK { get; }
}

/// <summary>
/// Small batches (M up to <see cref="W4A8Gemm{TGranularity}.SplitKMaxTokens"/>): weight-bound, so one 32-column
/// tile per block (many blocks) and four warps streaming different k-blocks of it.
/// </summary>
internal readonly struct SplitKTiling : IMmaTiling
{
    public int WarpsN => 1;
    public int WarpsK => 4;
}

/// <summary>Larger batches: four warps share each 64 x 128 block's activation tile.</summary>
internal readonly struct WideTiling : IMmaTiling
{
    public int WarpsN => 4;
    public int WarpsK => 1;
}
