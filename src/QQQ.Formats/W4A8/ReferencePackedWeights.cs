namespace QQQ.Formats.W4A8;

/// <summary>
/// The tensors of one linear layer in the reference QQQ kernel's packed layout, as a QQQ checkpoint stores them
/// (e.g. <c>model.layers.0.self_attn.q_proj.B</c>). Made by <see cref="ReferenceLayout.Pack"/>; the arrays handed to
/// the constructor are taken over, not copied.
/// <list type="bullet">
/// <item><see cref="B"/>: int32 (K / 16, 2N), eight permuted int4 codes per word.</item>
/// <item><see cref="ChannelScales"/>: <c>s_channel</c>, fp32 (1, N), permuted by <c>scale_perm_single</c> (both granularities).</item>
/// <item><see cref="GroupScales"/>: <c>s_group</c>, fp16 (K / 128, N), permuted by <c>scale_perm</c>; empty per-channel.</item>
/// </list>
/// </summary>
public sealed class ReferencePackedWeights
{
    readonly int[] b;
    readonly float[] channelScales;
    readonly Half[] groupScales;

    /// <summary>Wraps the three tensors after checking their sizes; <paramref name="groupScales"/> empty means per-channel.</summary>
    public ReferencePackedWeights(int outFeatures, int inFeatures, int[] b, float[] channelScales, Half[] groupScales)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(channelScales);
        ArgumentNullException.ThrowIfNull(groupScales);
        ReferenceLayout.CheckShape(outFeatures, inFeatures);
        if (b.Length != (long)inFeatures / 16 * 2 * outFeatures)
            throw new ArgumentException($"B has {b.Length} words, expected ({inFeatures / 16}, {2 * outFeatures})", nameof(b));
        if (channelScales.Length != outFeatures)
            throw new ArgumentException($"s_channel has {channelScales.Length} values, expected (1, {outFeatures})", nameof(channelScales));
        if (groupScales.Length != 0 && groupScales.Length != (long)inFeatures / ReferenceLayout.GroupSize * outFeatures)
            throw new ArgumentException(
                $"s_group has {groupScales.Length} values, expected ({inFeatures / ReferenceLayout.GroupSize}, {outFeatures}) or none", nameof(groupScales));
        OutFeatures = outFeatures;
        InFeatures = inFeatures;
        this.b = b;
        this.channelScales = channelScales;
        this.groupScales = groupScales;
    }

    /// <summary>N.</summary>
    public int OutFeatures { get; }

    /// <summary>K.</summary>
    public int InFeatures { get; }

    /// <summary>Per-group (group 128) when <c>s_group</c> is present, else per-channel.</summary>
    public Granularity Granularity => groupScales.Length == 0 ? Granularity.PerChannel : Granularity.PerGroup(ReferenceLayout.GroupSize);

    /// <summary>int32 (K / 16, 2N) row-major.</summary>
    public ReadOnlySpan<int> B => b;

    /// <summary>fp32 (1, N), permuted.</summary>
    public ReadOnlySpan<float> ChannelScales => channelScales;

    /// <summary>fp16 (K / 128, N) row-major, permuted; empty per-channel.</summary>
    public ReadOnlySpan<Half> GroupScales => groupScales;
}
