using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// RMSNorm over fp32 token rows, y = (x * rsqrt(mean(x^2) + eps)) * weight as in HF LlamaRMSNorm
/// (float32 throughout): fused with per-token int8 quantization for the inputs of q/k/v and gate/up,
/// and plain fp32 for the final norm before lm_head. One group per token row, sized to the row
/// (<see cref="RowGroupSize.ForColumns"/>: a decode step is a single group, so its threads' loops are the kernel's time).
/// x: (rows, hidden) fp32, weight: (hidden) fp32 (the checkpoint's fp16 norm weights, widened on load).
/// </summary>
public sealed partial class RmsNormKernels
{
    readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<sbyte>, ArrayView<float>, int, float> _quantize;
    readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float> _normalize;
    readonly bool _cpu;

    /// <summary>Loads both kernels on <paramref name="accelerator"/>, in the formulation that suits it.</summary>
    public RmsNormKernels(Accelerator accelerator) : this(accelerator, KernelFormulations.For(accelerator)) { }

    internal RmsNormKernels(Accelerator accelerator, KernelFormulation formulation)
    {
        _cpu = formulation == KernelFormulation.Cpu;
        if (_cpu)
        {
            // The CPU kernels replay the GPU group's sum of squares, so they take its size.
            var quantize = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<sbyte>, ArrayView<float>, int, float, int>(
                QuantizeCpuKernel);
            var normalize = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float, int>(NormalizeCpuKernel);
            _quantize = (config, x, weight, quantized, scales, hidden, eps) =>
                quantize(config, x, weight, quantized, scales, hidden, eps, RowGroupSize.ForColumns(hidden));
            _normalize = (config, x, weight, output, hidden, eps) => normalize(config, x, weight, output, hidden, eps, RowGroupSize.ForColumns(hidden));
        }
        else
        {
            _quantize = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<sbyte>, ArrayView<float>, int, float>(QuantizeKernel);
            _normalize = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>(NormalizeKernel);
        }
    }

    /// <summary>RMSNorm then per-token quantization: quantized (rows, hidden) int8, scales (rows) fp32.</summary>
    public void NormalizeQuantize(ArrayView<float> x, ArrayView<float> weight, int rows, int hidden, float eps,
        ArrayView<sbyte> quantized, ArrayView<float> scales)
    {
        Check(x, weight, rows, hidden, eps);
        Guard.Length(quantized, (long)rows * hidden, nameof(quantized));
        Guard.Length(scales, rows, nameof(scales));
        _quantize(Config(rows, hidden), x, weight, quantized, scales, hidden, eps);
    }

    /// <summary>
    /// RMSNorm to fp32: output (rows, hidden). Output may be x itself: every element is read for the
    /// row's sum before the group barrier (CPU: before the output loop) and afterwards only by the thread that overwrites it.
    /// </summary>
    public void Normalize(ArrayView<float> x, ArrayView<float> weight, int rows, int hidden, float eps, ArrayView<float> output)
    {
        Check(x, weight, rows, hidden, eps);
        Guard.Length(output, (long)rows * hidden, nameof(output));
        _normalize(Config(rows, hidden), x, weight, output, hidden, eps);
    }

    /// <summary>One group per row: single-thread on the CPU formulation, <see cref="RowGroupSize.ForColumns"/> threads on the GPU's.</summary>
    KernelConfig Config(int rows, int hidden) => new(rows, _cpu ? 1 : RowGroupSize.ForColumns(hidden));

    static void Check(ArrayView<float> x, ArrayView<float> weight, int rows, int hidden, float eps)
    {
        Guard.Positive(rows, nameof(rows));
        Guard.Positive(hidden, nameof(hidden));
        Guard.Length(x, (long)rows * hidden, nameof(x));
        Guard.Length(weight, hidden, nameof(weight));
        if (!(eps > 0f) || !float.IsFinite(eps)) throw new ArgumentException($"eps must be a positive number, got {eps}", nameof(eps));
    }

    // The GPU loops below take four columns per iteration (c, c + DimX, c + 2 DimX, c + 3 DimX) and issue all four
    // loads before the first use: a decode step is a single group, whose time is its threads' chains of dependent
    // loads. Columns past the row read as 0, which adds +0 to a sum of squares and cannot raise a max of |y|, so each
    // thread still adds its columns in the order the CPU formulation replays.

    /// <summary>1 / sqrt(mean(x^2) + eps) of the group's row, in every thread.</summary>
    static float InverseRms(ArrayView<float> x, long offset, int hidden, float eps, ArrayView<float> scratch)
    {
        int stride = Group.DimX;
        float sum = 0f;
        for (int c = Group.IdxX; c < hidden; c += 4 * stride)
        {
            float v0 = x[offset + c];
            float v1 = c + stride < hidden ? x[offset + c + stride] : 0f;
            float v2 = c + 2 * stride < hidden ? x[offset + c + 2 * stride] : 0f;
            float v3 = c + 3 * stride < hidden ? x[offset + c + 3 * stride] : 0f;
            sum += v0 * v0;
            sum += v1 * v1;
            sum += v2 * v2;
            sum += v3 * v3;
        }
        return 1f / XMath.Sqrt(GroupReduce.Sum(sum, scratch) / hidden + eps);
    }

    /// <summary>y = x * inverse * weight at column c of the row at offset, or 0 past the row.</summary>
    static float Normalized(ArrayView<float> x, ArrayView<float> weight, long offset, int c, int hidden, float inverse) =>
        c < hidden ? x[offset + c] * inverse * weight[c] : 0f;

    static void QuantizeKernel(ArrayView<float> x, ArrayView<float> weight, ArrayView<sbyte> quantized, ArrayView<float> scales,
        int hidden, float eps)
    {
        var scratch = SharedMemory.Allocate<float>(GroupReduce.MaxWarps);
        long offset = (long)Grid.IdxX * hidden;
        int stride = Group.DimX;
        float inverse = InverseRms(x, offset, hidden, eps, scratch);
        float absMax = 0f;
        for (int c = Group.IdxX; c < hidden; c += 4 * stride)
        {
            float y0 = Normalized(x, weight, offset, c, hidden, inverse);
            float y1 = Normalized(x, weight, offset, c + stride, hidden, inverse);
            float y2 = Normalized(x, weight, offset, c + 2 * stride, hidden, inverse);
            float y3 = Normalized(x, weight, offset, c + 3 * stride, hidden, inverse);
            absMax = XMath.Max(XMath.Max(absMax, XMath.Abs(y0)), XMath.Max(XMath.Abs(y1), XMath.Max(XMath.Abs(y2), XMath.Abs(y3))));
        }
        float scale = TokenQuantization.Scale(GroupReduce.Max(absMax, scratch));
        // Recomputing y here gives the identical fp32 value as in the max pass; it saves a row of shared memory.
        for (int c = Group.IdxX; c < hidden; c += 4 * stride)
        {
            float y0 = Normalized(x, weight, offset, c, hidden, inverse);
            float y1 = Normalized(x, weight, offset, c + stride, hidden, inverse);
            float y2 = Normalized(x, weight, offset, c + 2 * stride, hidden, inverse);
            float y3 = Normalized(x, weight, offset, c + 3 * stride, hidden, inverse);
            quantized[offset + c] = TokenQuantization.Quantize(y0, scale);
            if (c + stride < hidden) quantized[offset + c + stride] = TokenQuantization.Quantize(y1, scale);
            if (c + 2 * stride < hidden) quantized[offset + c + 2 * stride] = TokenQuantization.Quantize(y2, scale);
            if (c + 3 * stride < hidden) quantized[offset + c + 3 * stride] = TokenQuantization.Quantize(y3, scale);
        }
        if (Group.IsFirstThread) scales[Grid.IdxX] = scale;
    }

    static void NormalizeKernel(ArrayView<float> x, ArrayView<float> weight, ArrayView<float> output, int hidden, float eps)
    {
        var scratch = SharedMemory.Allocate<float>(GroupReduce.MaxWarps);
        long offset = (long)Grid.IdxX * hidden;
        int stride = Group.DimX;
        float inverse = InverseRms(x, offset, hidden, eps, scratch);
        for (int c = Group.IdxX; c < hidden; c += 4 * stride)
        {
            float y0 = Normalized(x, weight, offset, c, hidden, inverse);
            float y1 = Normalized(x, weight, offset, c + stride, hidden, inverse);
            float y2 = Normalized(x, weight, offset, c + 2 * stride, hidden, inverse);
            float y3 = Normalized(x, weight, offset, c + 3 * stride, hidden, inverse);
            output[offset + c] = y0;
            if (c + stride < hidden) output[offset + c + stride] = y1;
            if (c + 2 * stride < hidden) output[offset + c + 2 * stride] = y2;
            if (c + 3 * stride < hidden) output[offset + c + 3 * stride] = y3;
        }
    }

    /// <summary>Managed float64 reference of <see cref="Normalize"/>: x (rows, hidden) -> output (rows, hidden).</summary>
    public static void Reference(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float eps, Span<double> output)
    {
        int hidden = weight.Length;
        for (int row = 0; row < output.Length / hidden; row++)
        {
            var values = x.Slice(row * hidden, hidden);
            double sum = 0;
            foreach (float v in values) sum += (double)v * v;
            double inverse = 1 / Math.Sqrt(sum / hidden + eps);
            for (int c = 0; c < hidden; c++) output[row * hidden + c] = values[c] * inverse * weight[c];
        }
    }

    /// <summary>
    /// Managed reference of <see cref="NormalizeQuantize"/>: the float64 RMSNorm rounded to fp32, then
    /// <see cref="TokenQuantizer.Reference"/>.
    /// </summary>
    public static void ReferenceQuantized(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float eps, Span<sbyte> quantized, Span<float> scales)
    {
        var normalized = new double[quantized.Length];
        Reference(x, weight, eps, normalized);
        var rounded = Array.ConvertAll(normalized, v => (float)v);
        TokenQuantizer.Reference(rounded, weight.Length, quantized, scales);
    }
}
