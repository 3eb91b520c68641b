using QQQ.Formats;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// Head layout of one attention layer. Rows of q are (heads * head_dim), rows of k and v
/// (kv_heads * head_dim), head-major: element d of head h sits at h * head_dim + d.
/// Kv head j serves query heads j*r .. j*r+r-1 with r = heads / kv_heads (GQA).
/// </summary>
public sealed record AttentionShape
{
    /// <summary>Throws <see cref="ArgumentException"/> unless the counts are positive, heads is a multiple of kv_heads and head_dim is even.</summary>
    public AttentionShape(int heads, int keyValueHeads, int headDim)
    {
        Guard.Positive(heads, nameof(heads));
        Guard.Positive(keyValueHeads, nameof(keyValueHeads));
        Guard.Positive(headDim, nameof(headDim));
        if (heads % keyValueHeads != 0)
            throw new ArgumentException($"{heads} heads are not a multiple of {keyValueHeads} kv heads", nameof(keyValueHeads));
        if (headDim % 2 != 0) throw new ArgumentException($"head_dim {headDim} must be even for RoPE", nameof(headDim));
        Heads = heads;
        KeyValueHeads = keyValueHeads;
        HeadDim = headDim;
    }

    /// <summary>The shape of <paramref name="config"/>'s attention layers.</summary>
    public static AttentionShape From(ModelConfig config) => new(config.NumHeads, config.NumKeyValueHeads, config.HeadDim);

    /// <summary>Query heads.</summary>
    public int Heads { get; }

    /// <summary>Key/value heads (equal to <see cref="Heads"/> without GQA).</summary>
    public int KeyValueHeads { get; }

    /// <summary>Elements per head (even).</summary>
    public int HeadDim { get; }

    /// <summary>heads * head_dim: the width of a q row and of an attention output row.</summary>
    public int QueryWidth => Heads * HeadDim;

    /// <summary>kv_heads * head_dim: the width of a k or v row.</summary>
    public int KeyValueWidth => KeyValueHeads * HeadDim;

    /// <summary>r = heads / kv_heads: query heads per kv head.</summary>
    public int QueriesPerKeyValueHead => Heads / KeyValueHeads;
}
