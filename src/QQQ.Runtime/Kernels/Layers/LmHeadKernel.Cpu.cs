using ILGPU;
using ILGPU.Algorithms;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Kernels.Layers;

// CPU formulation: one single-thread group per vocab row n, computing it for every token row. Each logit is the
// replayed warp sum of the lanes' partial dot products (lane l: columns l, l + 32, ...), as the GPU warp computes it:
// bit-identical results. Token rows go in blocks of CpuRowBlock, so that each fp16 weight is read and widened once
// per block rather than once per token row (a 512-token window of llama-sotu-26m: 25.2 -> 22.7 s of CPU time).
public sealed partial class LmHeadKernel
{
    internal const int CpuRowBlock = 16;

    /// <summary>Lane l's partial for token row j of the block, held lane-major in per-thread local memory.</summary>
    readonly struct StoredPartials(ArrayView<float> partials, int row) : IThreadValues
    {
        public float Value(int lane) => partials[lane * CpuRowBlock + row];
    }

    static void CpuKernel(ArrayView<float> x, ArrayView<Half> weight, ArrayView<float> logits, int rows, int hidden, int vocab)
    {
        int n = Grid.IdxX;
        long w = (long)n * hidden;
        var partials = LocalMemory.Allocate<float>(ReplayedReductions.WarpSize * CpuRowBlock);
        for (int first = 0; first < rows; first += CpuRowBlock)
        {
            int block = XMath.Min(CpuRowBlock, rows - first);
            for (int lane = 0; lane < ReplayedReductions.WarpSize; lane++)
            {
                for (int j = 0; j < block; j++) partials[lane * CpuRowBlock + j] = 0f;
                // Each (lane, row) partial adds its columns in the GPU lane's order.
                for (int c = lane; c < hidden; c += ReplayedReductions.WarpSize)
                {
                    float wc = weight[w + c];
                    for (int j = 0; j < block; j++)
                        partials[lane * CpuRowBlock + j] += x[(long)(first + j) * hidden + c] * wc;
                }
            }
            for (int j = 0; j < block; j++)
                logits[(long)(first + j) * vocab + n] = ReplayedReductions.WarpSum(new StoredPartials(partials, j), 0);
        }
    }
}
