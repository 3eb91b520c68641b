using ILGPU;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Kernels.Layers;

// CPU formulation: one single-thread group per vocab row n, computing it for every token row (the weight row
// is read from memory once). Each logit is the replayed warp sum of the lanes' partial dot products (lane l:
// columns l, l + 32, ...), as the GPU warp computes it: bit-identical results.
public sealed partial class LmHeadKernel
{
    /// <summary>Lane l's partial dot product of one token row with one weight row in <see cref="Kernel"/>.</summary>
    readonly struct DotPartials(ArrayView<float> x, long xOffset, ArrayView<Half> weight, long wOffset, int hidden) : IThreadValues
    {
        public float Value(int lane)
        {
            float partial = 0f;
            for (int c = lane; c < hidden; c += ReplayedReductions.WarpSize)
            {
                float wc = weight[wOffset + c];
                partial += x[xOffset + c] * wc;
            }
            return partial;
        }
    }

    static void CpuKernel(ArrayView<float> x, ArrayView<Half> weight, ArrayView<float> logits, int rows, int hidden, int vocab)
    {
        int n = Grid.IdxX;
        long w = (long)n * hidden;
        for (int m = 0; m < rows; m++)
            logits[(long)m * vocab + n] = ReplayedReductions.WarpSum(new DotPartials(x, (long)m * hidden, weight, w, hidden), 0);
    }
}
