namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// Group size for kernels that give one group per token row: about <see cref="ElementsPerThread"/> elements per thread,
/// in whole warps of 32, at most 1024 threads. A decode step has a single row, so the group is the whole kernel: each
/// thread's loop of dependent loads is the kernel's latency, and a fixed 128 threads over an 11008-wide row took 115 us
/// on an H100 where 1024 threads take a few. The size depends on the row width alone, so a CPU formulation that replays
/// a group's reduction order (RMSNorm's sum of squares) replays the same group on any accelerator.
/// </summary>
static class RowGroupSize
{
    internal const int ElementsPerThread = 8;

    public static int ForColumns(int columns)
    {
        const int warp = 32;
        long warps = ((long)columns + ElementsPerThread * warp - 1) / (ElementsPerThread * warp);
        return (int)Math.Clamp(warps, 1, GroupReduce.MaxWarps) * warp;
    }
}
