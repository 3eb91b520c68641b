using ILGPU;
using ILGPU.Runtime;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// Residual update of the fp32 residual stream with a GEMM output: h (rows, hidden) fp32 += delta
/// (rows, hidden) fp16 (o_proj or down_proj output), widened to fp32 before the add.
/// </summary>
public sealed class ResidualAddKernel
{
    readonly Action<Index1D, ArrayView<float>, ArrayView<Half>> _kernel;

    /// <summary>Loads the kernel on <paramref name="accelerator"/>.</summary>
    public ResidualAddKernel(Accelerator accelerator) =>
        _kernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<Half>>(Kernel);

    /// <summary>residual[i] += delta[i]; both views hold the same number of elements.</summary>
    public void Add(ArrayView<float> residual, ArrayView<Half> delta)
    {
        Guard.Length(delta, residual.Length, nameof(delta));
        _kernel(Guard.LaunchSize(residual.Length, nameof(residual)), residual, delta);
    }

    static void Kernel(Index1D i, ArrayView<float> residual, ArrayView<Half> delta) => residual[i] += delta[i];

    /// <summary>Managed reference of <see cref="Add"/>.</summary>
    public static void Reference(Span<float> residual, ReadOnlySpan<Half> delta)
    {
        for (int i = 0; i < residual.Length; i++) residual[i] += delta[i];
    }
}
