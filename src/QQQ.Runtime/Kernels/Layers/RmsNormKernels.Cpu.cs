using ILGPU;
using ILGPU.Algorithms;

namespace QQQ.Runtime.Kernels.Layers;

// CPU formulation: one single-thread group per token row. The row's sum of squares replays the GPU group's
// reduction (thread t of the group's size sums columns t, t + size, ...; then GroupReduce.Sum), so the inverse RMS
// and everything after it are bit-identical to the GPU kernels; the max needs no replay (max is order-free).
public sealed partial class RmsNormKernels
{
    /// <summary>Thread t's partial sum of squares in <see cref="InverseRms"/>.</summary>
    readonly struct SquarePartials(ArrayView<float> x, long offset, int hidden, int threads) : IThreadValues
    {
        public float Value(int thread)
        {
            float sum = 0f;
            for (int c = thread; c < hidden; c += threads)
            {
                float v = x[offset + c];
                sum += v * v;
            }
            return sum;
        }
    }

    static float InverseRmsCpu(ArrayView<float> x, long offset, int hidden, float eps, int threads) =>
        1f / XMath.Sqrt(ReplayedReductions.GroupSum(new SquarePartials(x, offset, hidden, threads), threads / ReplayedReductions.WarpSize) / hidden + eps);

    static void QuantizeCpuKernel(ArrayView<float> x, ArrayView<float> weight, ArrayView<sbyte> quantized, ArrayView<float> scales,
        int hidden, float eps, int threads)
    {
        long offset = (long)Grid.IdxX * hidden;
        float inverse = InverseRmsCpu(x, offset, hidden, eps, threads);
        float absMax = 0f;
        for (int c = 0; c < hidden; c++)
            absMax = XMath.Max(absMax, XMath.Abs(x[offset + c] * inverse * weight[c]));
        float scale = TokenQuantization.Scale(absMax);
        for (int c = 0; c < hidden; c++)
            quantized[offset + c] = TokenQuantization.Quantize(x[offset + c] * inverse * weight[c], scale);
        scales[Grid.IdxX] = scale;
    }

    static void NormalizeCpuKernel(ArrayView<float> x, ArrayView<float> weight, ArrayView<float> output, int hidden, float eps, int threads)
    {
        long offset = (long)Grid.IdxX * hidden;
        float inverse = InverseRmsCpu(x, offset, hidden, eps, threads);
        for (int c = 0; c < hidden; c++)
            output[offset + c] = x[offset + c] * inverse * weight[c];
    }
}
