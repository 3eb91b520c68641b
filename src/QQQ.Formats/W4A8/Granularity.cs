namespace QQQ.Formats.W4A8;

/// <summary>
/// How many int4 weights share one scale: a whole output row (<see cref="PerChannelGranularity"/>) or
/// <see cref="PerGroupGranularity.GroupSize"/> consecutive input columns of a row (<see cref="PerGroupGranularity"/>).
/// </summary>
public abstract record Granularity
{
    private protected Granularity()
    {
    }

    /// <summary>One scale per output channel (row); signed int4 grid [-7, 7].</summary>
    public static PerChannelGranularity PerChannel { get; } = new();

    /// <summary>One scale per <paramref name="groupSize"/> input columns of each row; unsigned int4 grid [0, 15], zero point 8.</summary>
    public static PerGroupGranularity PerGroup(int groupSize) => new(groupSize);

    /// <summary>
    /// From the <c>group_size</c> of a QQQ checkpoint's <c>quantization_config</c>: -1 is per-channel,
    /// anything else a group size.
    /// </summary>
    public static Granularity FromConfigGroupSize(int groupSize) => groupSize == -1 ? PerChannel : PerGroup(groupSize);

    /// <summary>The <c>group_size</c> value a QQQ checkpoint's <c>quantization_config</c> carries (-1 for per-channel).</summary>
    public abstract int ConfigGroupSize { get; }

    /// <summary>Number of scales per row for <paramref name="inFeatures"/> columns; throws if the columns do not split into whole groups.</summary>
    public abstract int ScalesPerRow(int inFeatures);
}

/// <summary>Per-channel weights: <c>scale = max|w_row| / 7</c>, <c>q = clamp(round(w / scale), -7, 7)</c>.</summary>
public sealed record PerChannelGranularity : Granularity
{
    internal PerChannelGranularity()
    {
    }

    /// <inheritdoc/>
    public override int ConfigGroupSize => -1;

    /// <inheritdoc/>
    public override int ScalesPerRow(int inFeatures) =>
        inFeatures > 0 ? 1 : throw new ArgumentOutOfRangeException(nameof(inFeatures), inFeatures, "must be positive");

    /// <inheritdoc/>
    public override string ToString() => "per-channel";
}

/// <summary>
/// Per-group weights: <c>scale = 2 * max|w_group| / 15</c>, <c>q = clamp(round(w / scale) + 8, 0, 15)</c>, plus the
/// second-level scales of the W4A8 kernel (see <see cref="QuantizedWeights"/>). Group sizes 32, 64 and 128 are
/// supported; the reference packed layout only takes 128.
/// </summary>
public sealed record PerGroupGranularity : Granularity
{
    /// <summary>The group sizes this project supports.</summary>
    public static IReadOnlyList<int> SupportedGroupSizes { get; } = [32, 64, 128];

    internal PerGroupGranularity(int groupSize)
    {
        if (!SupportedGroupSizes.Contains(groupSize))
            throw new ArgumentOutOfRangeException(nameof(groupSize), groupSize,
                $"group size must be one of {string.Join(", ", SupportedGroupSizes)}");
        GroupSize = groupSize;
    }

    /// <summary>Consecutive input columns that share one scale.</summary>
    public int GroupSize { get; }

    /// <inheritdoc/>
    public override int ConfigGroupSize => GroupSize;

    /// <inheritdoc/>
    public override int ScalesPerRow(int inFeatures) =>
        inFeatures > 0 && inFeatures % GroupSize == 0
            ? inFeatures / GroupSize
            : throw new ArgumentException($"in_features {inFeatures} is not a positive multiple of the group size {GroupSize}", nameof(inFeatures));

    /// <inheritdoc/>
    public override string ToString() => $"group {GroupSize}";
}
