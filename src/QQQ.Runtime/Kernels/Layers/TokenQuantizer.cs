using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// Per-token int8 quantization of an fp32 activation (M, K) -> x_q (M, K) int8 and s_tok (M) fp32,
/// for inputs no other kernel can quantize on the fly (the attention output before o_proj).
/// One group per token row: a group max of |x|, then a second pass that writes x_q.
/// </summary>
public sealed class TokenQuantizer
{
    readonly Action<KernelConfig, ArrayView<float>, ArrayView<sbyte>, ArrayView<float>, int> _kernel;
    readonly bool _cpu;

    /// <summary>Loads the kernel on <paramref name="accelerator"/>, in the formulation that suits it; keep the instance and reuse it.</summary>
    public TokenQuantizer(Accelerator accelerator) : this(accelerator, KernelFormulations.For(accelerator)) { }

    internal TokenQuantizer(Accelerator accelerator, KernelFormulation formulation)
    {
        bool cpu = formulation == KernelFormulation.Cpu;
        _cpu = cpu;
        _kernel = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<sbyte>, ArrayView<float>, int>(cpu ? CpuKernel : Kernel);
    }

    /// <summary>x: (rows, columns) fp32 -> quantized: (rows, columns) int8, scales: (rows) fp32. Runs on the default stream.</summary>
    public void Quantize(ArrayView<float> x, int rows, int columns, ArrayView<sbyte> quantized, ArrayView<float> scales)
    {
        Guard.Positive(rows, nameof(rows));
        Guard.Positive(columns, nameof(columns));
        Guard.Length(x, (long)rows * columns, nameof(x));
        Guard.Length(quantized, (long)rows * columns, nameof(quantized));
        Guard.Length(scales, rows, nameof(scales));
        _kernel(new KernelConfig(rows, _cpu ? 1 : RowGroupSize.ForColumns(columns)), x, quantized, scales, columns);
    }

    static void Kernel(ArrayView<float> x, ArrayView<sbyte> quantized, ArrayView<float> scales, int columns)
    {
        var scratch = SharedMemory.Allocate<float>(GroupReduce.MaxWarps);
        long offset = (long)Grid.IdxX * columns;
        float absMax = 0f;
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
            absMax = XMath.Max(absMax, XMath.Abs(x[offset + c]));
        float scale = TokenQuantization.Scale(GroupReduce.Max(absMax, scratch));
        for (int c = Group.IdxX; c < columns; c += Group.DimX)
            quantized[offset + c] = TokenQuantization.Quantize(x[offset + c], scale);
        if (Group.IsFirstThread) scales[Grid.IdxX] = scale;
    }

    // CPU formulation: one single-thread group per row (the group max above is order-free, so the values agree).
    static void CpuKernel(ArrayView<float> x, ArrayView<sbyte> quantized, ArrayView<float> scales, int columns)
    {
        long offset = (long)Grid.IdxX * columns;
        float absMax = 0f;
        for (int c = 0; c < columns; c++)
            absMax = XMath.Max(absMax, XMath.Abs(x[offset + c]));
        float scale = TokenQuantization.Scale(absMax);
        for (int c = 0; c < columns; c++)
            quantized[offset + c] = TokenQuantization.Quantize(x[offset + c], scale);
        scales[Grid.IdxX] = scale;
    }

    /// <summary>Managed scalar reference of <see cref="Quantize"/>: x (rows, columns) row-major.</summary>
    public static void Reference(ReadOnlySpan<float> x, int columns, Span<sbyte> quantized, Span<float> scales)
    {
        for (int row = 0; row < scales.Length; row++)
        {
            var values = x.Slice(row * columns, columns);
            float absMax = 0f;
            foreach (float v in values) absMax = Math.Max(absMax, Math.Abs(v));
            scales[row] = TokenQuantization.Scale(absMax);
            for (int c = 0; c < columns; c++)
                quantized[row * columns + c] = TokenQuantization.Quantize(values[c], scales[row]);
        }
    }
}
