using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// Residual update of the fp32 residual stream with a GEMM output: h (rows, hidden) fp32 += delta
/// (rows, hidden) fp16 (o_proj or down_proj output), widened to fp32 before the add.
/// </summary>
public sealed class ResidualAddKernel
{
    /// <summary>Elements per thread of the CPU formulation: enough work to pay for a group, few enough to split a batch across cores.</summary>
    internal const int CpuChunk = 4096;

    /// <summary>Launches the loaded formulation on (residual, delta, element count).</summary>
    readonly Action<ArrayView<float>, ArrayView<Half>, int> _launch;

    /// <summary>Loads the kernel on <paramref name="accelerator"/>, in the formulation that suits it.</summary>
    public ResidualAddKernel(Accelerator accelerator) : this(accelerator, KernelFormulations.For(accelerator)) { }

    internal ResidualAddKernel(Accelerator accelerator, KernelFormulation formulation)
    {
        if (formulation == KernelFormulation.Cpu)
        {
            var kernel = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<Half>>(CpuKernel);
            _launch = (residual, delta, length) => kernel(new KernelConfig((length + CpuChunk - 1) / CpuChunk, 1), residual, delta);
        }
        else
        {
            var kernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<Half>>(Kernel);
            _launch = (residual, delta, length) => kernel(length, residual, delta);
        }
    }

    /// <summary>residual[i] += delta[i]; both views hold the same number of elements.</summary>
    public void Add(ArrayView<float> residual, ArrayView<Half> delta)
    {
        Guard.Length(delta, residual.Length, nameof(delta));
        _launch(residual, delta, Guard.LaunchSize(residual.Length, nameof(residual)));
    }

    static void Kernel(Index1D i, ArrayView<float> residual, ArrayView<Half> delta) => residual[i] += delta[i];

    // CPU formulation: one single-thread group per CpuChunk elements.
    static void CpuKernel(ArrayView<float> residual, ArrayView<Half> delta)
    {
        long end = XMath.Min((long)(Grid.IdxX + 1) * CpuChunk, residual.Length);
        for (long i = (long)Grid.IdxX * CpuChunk; i < end; i++) residual[i] += delta[i];
    }

    /// <summary>Managed reference of <see cref="Add"/>.</summary>
    public static void Reference(Span<float> residual, ReadOnlySpan<Half> delta)
    {
        for (int i = 0; i < residual.Length; i++) residual[i] += delta[i];
    }
}
