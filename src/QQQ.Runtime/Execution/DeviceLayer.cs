using ILGPU;
using ILGPU.Runtime;
using QQQ.Runtime.Kernels.Gemm;

namespace QQQ.Runtime.Execution;

/// <summary>One decoder layer's weights on the device: fp32 norms (smoothing folded in), seven packed W4 linears.</summary>
sealed class DeviceLayer<TGranularity>(
    MemoryBuffer1D<float, Stride1D.Dense> inputNorm, MemoryBuffer1D<float, Stride1D.Dense> postAttentionNorm,
    PackedW4Weights<TGranularity> q, PackedW4Weights<TGranularity> k, PackedW4Weights<TGranularity> v, PackedW4Weights<TGranularity> o,
    PackedW4Weights<TGranularity> gate, PackedW4Weights<TGranularity> up, PackedW4Weights<TGranularity> down) : IDisposable
    where TGranularity : struct, IWeightGranularity
{
    public MemoryBuffer1D<float, Stride1D.Dense> InputNorm { get; } = inputNorm;
    public MemoryBuffer1D<float, Stride1D.Dense> PostAttentionNorm { get; } = postAttentionNorm;
    public PackedW4Weights<TGranularity> Q { get; } = q;
    public PackedW4Weights<TGranularity> K { get; } = k;
    public PackedW4Weights<TGranularity> V { get; } = v;
    public PackedW4Weights<TGranularity> O { get; } = o;
    public PackedW4Weights<TGranularity> Gate { get; } = gate;
    public PackedW4Weights<TGranularity> Up { get; } = up;
    public PackedW4Weights<TGranularity> Down { get; } = down;

    public void Dispose()
    {
        foreach (var d in new IDisposable[] { InputNorm, PostAttentionNorm, Q, K, V, O, Gate, Up, Down }) d.Dispose();
    }
}
