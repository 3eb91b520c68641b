using ILGPU.Runtime;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// Group size for kernels that give one group per token row and reduce it order-free (a max): about
/// <see cref="ElementsPerThread"/> elements per thread, in whole warps, at most 1024 threads. A decode step has a
/// single row, so the group is the whole kernel: each thread's loop of dependent loads is the kernel's latency, and a
/// fixed 128 threads over an 11008-wide row took 115 us on an H100 where 1024 threads take a few.
/// </summary>
static class RowGroupSize
{
    internal const int ElementsPerThread = 8;

    /// <summary>
    /// The size from the row width alone (warps of 32, as CUDA's), for kernels whose reduction order depends on it: their
    /// CPU formulation replays a group of this size, so results do not depend on the accelerator.
    /// </summary>
    public static int ForColumns(int columns)
    {
        const int warp = 32;
        long warps = ((long)columns + ElementsPerThread * warp - 1) / (ElementsPerThread * warp);
        return (int)Math.Clamp(warps, 1, GroupReduce.MaxWarps) * warp;
    }

    public static int For(Accelerator accelerator, int columns)
    {
        int warp = accelerator.WarpSize;
        int limit = Math.Min(GroupReduce.MaxWarps * warp, accelerator.MaxNumThreadsPerGroup) / warp * warp;
        long wanted = ((long)columns + ElementsPerThread - 1) / ElementsPerThread;
        long warps = (wanted + warp - 1) / warp;
        return (int)Math.Clamp(warps * warp, warp, limit);
    }
}
