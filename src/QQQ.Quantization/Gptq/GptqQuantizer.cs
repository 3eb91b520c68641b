using static TorchSharp.torch;

namespace QQQ.Quantization.Gptq;

/// <summary>
/// GPTQ (Frantar et al.) as QQQ runs it (qqq-method.md §3): dead columns zeroed, damping
/// 0.01·mean(diag H), upper Cholesky factor of H⁻¹, blocks of 128 columns with lazy updates,
/// act_order with static groups (group scales computed once, before any update, in the original
/// column order; the permutation is undone at the end so inference needs no group index).
/// </summary>
public sealed class GptqQuantizer
{
    public GptqQuantizer(WeightGrid grid, int groupSize, double dampening = 0.01, int blockSize = 128, bool actOrder = true)
    {
        if (grid.PerGroup && groupSize <= 0) throw new ArgumentOutOfRangeException(nameof(groupSize), "per-group quantization needs a group size");
        Grid = grid;
        GroupSize = grid.PerGroup ? groupSize : 0;
        Dampening = dampening;
        BlockSize = blockSize;
        ActOrder = actOrder;
    }

    public WeightGrid Grid { get; }
    public int GroupSize { get; }
    public double Dampening { get; }
    public int BlockSize { get; }
    public bool ActOrder { get; }

    /// <summary>weight: (N, K) float32; hessian: (K, K) from <see cref="HessianAccumulator"/>. Neither is modified.</summary>
    public GptqResult Quantize(Tensor weight, Tensor hessian)
    {
        using var scope = NewDisposeScope();
        long rows = weight.shape[0], columns = weight.shape[1];
        if (GroupSize > 0 && columns % GroupSize != 0)
            throw new ArgumentException($"in_features {columns} is not divisible by the group size {GroupSize}");
        var w = weight.to_type(ScalarType.Float32).clone();
        var h = hessian.to_type(ScalarType.Float32).clone();

        // Dead inputs (never active in calibration): H_ii = 1 and the weight column zeroed.
        var dead = h.diagonal().eq(0);
        h.diagonal().masked_fill_(dead, 1f);
        w.masked_fill_(dead.unsqueeze(0), 0f);

        // Scales: per-channel over whole rows; static groups over the original column order.
        Tensor scales = Grid.PerGroup
            ? cat(Enumerable.Range(0, (int)(columns / GroupSize))
                .Select(g => Grid.Scales(w.narrow(1, g * GroupSize, GroupSize))).ToArray(), 1)    // (N, K/G)
            : Grid.Scales(w);                                                                       // (N, 1)

        var permutation = ActOrder ? argsort(h.diagonal(), descending: true) : arange(columns, ScalarType.Int64);
        if (ActOrder)
        {
            w = w.index_select(1, permutation);
            h = h.index_select(0, permutation).index_select(1, permutation);
        }
        // Scale of each (permuted) column, (N, K): column j uses group permutation[j] / G.
        var columnScales = Grid.PerGroup
            ? scales.index_select(1, permutation.div(GroupSize, rounding_mode: RoundingMode.floor))
            : scales.expand(rows, columns);

        double damp = Dampening * h.diagonal().mean().item<float>();
        h.diagonal().add_(damp);
        var hinv = UpperCholeskyOfInverse(h);

        var codes = zeros(rows, columns, ScalarType.Float32);
        var quantized = zeros(rows, columns, ScalarType.Float32);
        double error = 0;
        for (long start = 0; start < columns; start += BlockSize)
        {
            long count = Math.Min(BlockSize, columns - start);
            var block = w.narrow(1, start, count).clone();               // (N, B)
            var blockErrors = zeros(rows, count, ScalarType.Float32);    // (N, B)
            var hinvBlock = hinv.narrow(0, start, count).narrow(1, start, count);
            for (long i = 0; i < count; i++)
            {
                using var step = NewDisposeScope();
                var column = block[.., (int)i];                               // (N)
                var scale = columnScales[.., (int)(start + i)];
                var code = Grid.Codes(column, scale);
                var q = Grid.Dequantize(code, scale);
                codes[.., (int)(start + i)] = code;
                quantized[.., (int)(start + i)] = q;
                var d = hinvBlock[(int)i, (int)i];
                var err = (column - q) / d;
                error += err.square().sum().item<float>() / 2;
                // Update the block's remaining columns: W[:, i:] -= err ⊗ Hinv[i, i:].
                block.narrow(1, i, count - i).sub_(outer(err, hinvBlock[(int)i].narrow(0, i, count - i)));
                blockErrors[.., (int)i] = err;
            }
            // Lazy update of every column after the block.
            if (start + count < columns)
                w.narrow(1, start + count, columns - start - count)
                    .sub_(matmul(blockErrors, hinv.narrow(0, start, count).narrow(1, start + count, columns - start - count)));
        }

        if (ActOrder)
        {
            var inverse = argsort(permutation);
            codes = codes.index_select(1, inverse);
            quantized = quantized.index_select(1, inverse);
        }
        return new GptqResult(codes.MoveToOuterDisposeScope(), scales.MoveToOuterDisposeScope(),
            quantized.MoveToOuterDisposeScope(), error);
    }

    /// <summary>Upper Cholesky factor U of H⁻¹ (H⁻¹ = Uᵀ U), computed in float64 for stability.</summary>
    static Tensor UpperCholeskyOfInverse(Tensor h)
    {
        using var scope = NewDisposeScope();
        var h64 = h.to_type(ScalarType.Float64);
        var inverse = cholesky_inverse(linalg.cholesky(h64));
        return linalg.cholesky(inverse).t().contiguous().to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }
}
