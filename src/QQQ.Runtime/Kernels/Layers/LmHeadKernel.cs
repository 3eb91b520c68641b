using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// lm_head in fp16 weights: logits (rows, vocab) fp32 = x (rows, hidden) fp32 @ W^T, W (vocab, hidden)
/// fp16 (the embedding table itself when tied), accumulated in fp32. Each warp owns one vocab row and
/// computes it for up to <see cref="RowsPerGroup"/> token rows at once, so a weight row read from memory
/// serves four tokens; decode (rows = 1) is a plain GEMV. (The CPU formulation gives each vocab row one thread for
/// all token rows, see LmHeadKernel.Cpu.cs.)
/// </summary>
public sealed partial class LmHeadKernel
{
    internal const int Warps = 4;
    internal const int RowsPerGroup = 4;

    readonly Action<KernelConfig, ArrayView<float>, ArrayView<Half>, ArrayView<float>, int, int, int> _kernel;
    readonly KernelFormulation _formulation;
    readonly int _warpSize;

    /// <summary>Loads the kernel on <paramref name="accelerator"/>, in the formulation that suits it.</summary>
    public LmHeadKernel(Accelerator accelerator) : this(accelerator, KernelFormulations.For(accelerator)) { }

    internal LmHeadKernel(Accelerator accelerator, KernelFormulation formulation)
    {
        _formulation = formulation;
        _warpSize = accelerator.WarpSize;
        _kernel = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<Half>, ArrayView<float>, int, int, int>(
            formulation == KernelFormulation.Cpu ? CpuKernel : Kernel);
    }

    /// <summary>x (rows, hidden) fp32, weight (vocab, hidden) fp16 -> logits (rows, vocab) fp32.</summary>
    public void Logits(ArrayView<float> x, ArrayView<Half> weight, int rows, int hidden, ArrayView<float> logits)
    {
        Guard.Positive(rows, nameof(rows));
        Guard.Positive(hidden, nameof(hidden));
        Guard.Length(x, (long)rows * hidden, nameof(x));
        if (weight.Length % hidden != 0 || weight.Length == 0)
            throw new ArgumentException($"the weight's {weight.Length} elements are not rows of {hidden}", nameof(weight));
        int vocab = Guard.LaunchSize(weight.Length / hidden, "vocab");
        Guard.Length(logits, (long)rows * vocab, nameof(logits));
        var config = _formulation == KernelFormulation.Cpu
            ? new KernelConfig(vocab, 1)
            : new KernelConfig(
                Guard.LaunchSize((long)((vocab + Warps - 1) / Warps) * ((rows + RowsPerGroup - 1) / RowsPerGroup), "groups"),
                Warps * _warpSize);
        _kernel(config, x, weight, logits, rows, hidden, vocab);
    }

    // Group g -> (vocab block, block of RowsPerGroup token rows); warp w of the group -> vocab row.
    static void Kernel(ArrayView<float> x, ArrayView<Half> weight, ArrayView<float> logits, int rows, int hidden, int vocab)
    {
        int warps = Group.DimX / Warp.WarpSize;
        int vocabBlocks = (vocab + warps - 1) / warps;
        int n = Grid.IdxX % vocabBlocks * warps + Warp.WarpIdx;
        int m = Grid.IdxX / vocabBlocks * RowsPerGroup;
        if (n >= vocab) return;   // the whole warp leaves; the kernel has no group barrier
        // Token rows past the end re-read the last row (valid memory) and are not written.
        long x0 = (long)m * hidden;
        long x1 = (long)XMath.Min(m + 1, rows - 1) * hidden;
        long x2 = (long)XMath.Min(m + 2, rows - 1) * hidden;
        long x3 = (long)XMath.Min(m + 3, rows - 1) * hidden;
        long w = (long)n * hidden;
        float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
        // Four weight loads in flight per iteration (columns c + 32 j): a warp's time is its chain of dependent loads.
        // The unrolled adds keep the column order of the CPU formulation; columns past the row add nothing.
        for (int c = Warp.LaneIdx; c < hidden; c += 4 * Warp.WarpSize)
        {
            float w0 = weight[w + c];
            float w1 = c + Warp.WarpSize < hidden ? (float)weight[w + c + Warp.WarpSize] : 0f;
            float w2 = c + 2 * Warp.WarpSize < hidden ? (float)weight[w + c + 2 * Warp.WarpSize] : 0f;
            float w3 = c + 3 * Warp.WarpSize < hidden ? (float)weight[w + c + 3 * Warp.WarpSize] : 0f;
            a0 += x[x0 + c] * w0;
            a1 += x[x1 + c] * w0;
            a2 += x[x2 + c] * w0;
            a3 += x[x3 + c] * w0;
            for (int j = 1; j < 4; j++)
            {
                int cj = c + j * Warp.WarpSize;
                if (cj >= hidden) break;
                float wj = j == 1 ? w1 : j == 2 ? w2 : w3;
                a0 += x[x0 + cj] * wj;
                a1 += x[x1 + cj] * wj;
                a2 += x[x2 + cj] * wj;
                a3 += x[x3 + cj] * wj;
            }
        }
        a0 = GroupReduce.WarpSum(a0);
        a1 = GroupReduce.WarpSum(a1);
        a2 = GroupReduce.WarpSum(a2);
        a3 = GroupReduce.WarpSum(a3);
        if (!Warp.IsFirstLane) return;
        logits[(long)m * vocab + n] = a0;
        if (m + 1 < rows) logits[(long)(m + 1) * vocab + n] = a1;
        if (m + 2 < rows) logits[(long)(m + 2) * vocab + n] = a2;
        if (m + 3 < rows) logits[(long)(m + 3) * vocab + n] = a3;
    }

    /// <summary>Managed float64 reference of <see cref="Logits"/>.</summary>
    public static void Reference(ReadOnlySpan<float> x, ReadOnlySpan<Half> weight, int hidden, Span<double> logits)
    {
        int rows = x.Length / hidden, vocab = weight.Length / hidden;
        for (int m = 0; m < rows; m++)
            for (int n = 0; n < vocab; n++)
            {
                double sum = 0;
                for (int c = 0; c < hidden; c++) sum += (double)x[m * hidden + c] * (float)weight[n * hidden + c];
                logits[m * vocab + n] = sum;
            }
    }
}
