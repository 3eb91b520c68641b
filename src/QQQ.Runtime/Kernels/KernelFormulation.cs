using ILGPU.Runtime;

namespace QQQ.Runtime.Kernels;

/// <summary>
/// The two ways every runtime kernel is written. Both compute the same fp32 operations in the same order, so
/// they give the same values (up to the transcendental functions of each backend and to fp16 rounding, which
/// the CPU formulation does to nearest even as CUDA's cvt.rn does).
/// </summary>
internal enum KernelFormulation
{
    /// <summary>For CUDA: groups of warps, shared memory, warp shuffles, barriers, inline PTX.</summary>
    Gpu,

    /// <summary>
    /// For ILGPU's CPU accelerator: groups of one thread, each owning a whole row (or column pair) with plain
    /// loops, and where the GPU version reduces across lanes, the same reduction tree replayed sequentially.
    /// </summary>
    Cpu,
}

internal static class KernelFormulations
{
    /// <summary>The formulation the runtime uses on <paramref name="accelerator"/>.</summary>
    public static KernelFormulation For(Accelerator accelerator) =>
        accelerator.AcceleratorType == AcceleratorType.Cuda ? KernelFormulation.Gpu : KernelFormulation.Cpu;
}
