using static TorchSharp.torch;

namespace QQQ.Quantization.Reference;

/// <summary>
/// Rotate-half RoPE (the HF convention every checkpoint is normalised to), with tables computed in
/// float32 exactly as transformers does: inv_freq = 1 / theta^(2i/d), angle = position * inv_freq.
/// </summary>
public static class RotaryEmbedding
{
    /// <summary>cos and sin tables of shape (positions, head_dim): each half repeats the d/2 angles.</summary>
    public static (Tensor Cos, Tensor Sin) Tables(int positions, int headDim, float theta, int offset = 0)
    {
        using var scope = NewDisposeScope();
        var exponent = arange(0, headDim, 2, ScalarType.Int64).to_type(ScalarType.Float32) / headDim;
        var invFreq = 1.0f / pow(tensor(theta), exponent);                        // (d/2)
        var position = arange(offset, offset + positions, ScalarType.Int64).to_type(ScalarType.Float32);
        var angles = outer(position, invFreq);                                    // (T, d/2)
        var both = cat([angles, angles], 1);                                      // (T, d)
        return (both.cos().MoveToOuterDisposeScope(), both.sin().MoveToOuterDisposeScope());
    }

    /// <summary>x: (batch, heads, T, head_dim); cos/sin: (T, head_dim).</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        long half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        var rotated = cat([-x2, x1], -1);
        return (x * cos + rotated * sin).MoveToOuterDisposeScope();
    }
}
