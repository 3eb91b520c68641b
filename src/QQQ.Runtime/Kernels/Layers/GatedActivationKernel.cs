using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// SwiGLU's act(gate) * up fused with per-token quantization of the result, the down_proj input.
/// gate, up: (rows, intermediate) fp16 from the W4A8 GEMM; silu(g) * u is computed in fp32 and never
/// stored: quantized (rows, intermediate) int8 and scales (rows) fp32 are the only outputs.
/// One group per token row.
/// </summary>
public sealed class GatedActivationKernel
{
    readonly Action<KernelConfig, ArrayView<Half>, ArrayView<Half>, ArrayView<sbyte>, ArrayView<float>, int> _kernel;
    readonly bool _cpu;

    /// <summary>Loads the kernel on <paramref name="accelerator"/>, in the formulation that suits it.</summary>
    public GatedActivationKernel(Accelerator accelerator) : this(accelerator, KernelFormulations.For(accelerator)) { }

    internal GatedActivationKernel(Accelerator accelerator, KernelFormulation formulation)
    {
        bool cpu = formulation == KernelFormulation.Cpu;
        _cpu = cpu;
        _kernel = accelerator.LoadStreamKernel<ArrayView<Half>, ArrayView<Half>, ArrayView<sbyte>, ArrayView<float>, int>(cpu ? CpuKernel : Kernel);
    }

    /// <summary>silu(gate) * up, per-token quantized. All views hold (rows, intermediate) except scales (rows).</summary>
    public void ActivateQuantize(ArrayView<Half> gate, ArrayView<Half> up, int rows, int intermediate,
        ArrayView<sbyte> quantized, ArrayView<float> scales)
    {
        Guard.Positive(rows, nameof(rows));
        Guard.Positive(intermediate, nameof(intermediate));
        long length = (long)rows * intermediate;
        Guard.Length(gate, length, nameof(gate));
        Guard.Length(up, length, nameof(up));
        Guard.Length(quantized, length, nameof(quantized));
        Guard.Length(scales, rows, nameof(scales));
        _kernel(new KernelConfig(rows, _cpu ? 1 : RowGroupSize.ForColumns(intermediate)), gate, up, quantized, scales, intermediate);
    }

    /// <summary>silu(g) * u = g / (1 + exp(-g)) * u in fp32.</summary>
    static float SiluMul(Half gate, Half up)
    {
        float g = gate;
        return g / (1f + XMath.Exp(-g)) * up;
    }

    static void Kernel(ArrayView<Half> gate, ArrayView<Half> up, ArrayView<sbyte> quantized, ArrayView<float> scales, int intermediate)
    {
        var scratch = SharedMemory.Allocate<float>(GroupReduce.MaxWarps);
        long offset = (long)Grid.IdxX * intermediate;
        float absMax = 0f;
        for (int c = Group.IdxX; c < intermediate; c += Group.DimX)
            absMax = XMath.Max(absMax, XMath.Abs(SiluMul(gate[offset + c], up[offset + c])));
        float scale = TokenQuantization.Scale(GroupReduce.Max(absMax, scratch));
        // Recomputed rather than kept: a row of an 11008-wide MLP would not fit the default 48 KB of shared memory.
        for (int c = Group.IdxX; c < intermediate; c += Group.DimX)
            quantized[offset + c] = TokenQuantization.Quantize(SiluMul(gate[offset + c], up[offset + c]), scale);
        if (Group.IsFirstThread) scales[Grid.IdxX] = scale;
    }

    // CPU formulation: one single-thread group per row (the group max above is order-free, so the values agree).
    static void CpuKernel(ArrayView<Half> gate, ArrayView<Half> up, ArrayView<sbyte> quantized, ArrayView<float> scales, int intermediate)
    {
        long offset = (long)Grid.IdxX * intermediate;
        float absMax = 0f;
        for (int c = 0; c < intermediate; c++)
            absMax = XMath.Max(absMax, XMath.Abs(SiluMul(gate[offset + c], up[offset + c])));
        float scale = TokenQuantization.Scale(absMax);
        for (int c = 0; c < intermediate; c++)
            quantized[offset + c] = TokenQuantization.Quantize(SiluMul(gate[offset + c], up[offset + c]), scale);
        scales[Grid.IdxX] = scale;
    }

    /// <summary>Managed float64 reference of silu(gate) * up: (rows, intermediate) -> output of the same shape.</summary>
    public static void Reference(ReadOnlySpan<Half> gate, ReadOnlySpan<Half> up, Span<double> output)
    {
        for (int i = 0; i < output.Length; i++)
        {
            double g = (float)gate[i];
            output[i] = g / (1 + Math.Exp(-g)) * (float)up[i];
        }
    }

    /// <summary>Managed reference of <see cref="ActivateQuantize"/>: the float64 value rounded to fp32, then quantized.</summary>
    public static void ReferenceQuantized(ReadOnlySpan<Half> gate, ReadOnlySpan<Half> up, int intermediate,
        Span<sbyte> quantized, Span<float> scales)
    {
        var activated = new double[gate.Length];
        Reference(gate, up, activated);
        TokenQuantizer.Reference(Array.ConvertAll(activated, v => (float)v), intermediate, quantized, scales);
    }
}
