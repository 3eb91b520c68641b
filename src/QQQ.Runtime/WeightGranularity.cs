namespace QQQ.Runtime;

/// <summary>
/// How a quantized linear's 4-bit weights are scaled along the input dimension K. Implementations are
/// empty structs used as generic type arguments: every kernel is compiled once per granularity, and
/// <see cref="GroupSize"/> folds to a constant there, so per-channel and per-group code paths are chosen at
/// compile time with no run-time branch.
/// </summary>
public interface IWeightGranularity
{
    /// <summary>
    /// Input features sharing one group scale, or 0 for per-channel weights (one fp32 scale per output
    /// channel, int8 weight = 16 * q). Grouped weights use zero point 8 and an fp16 scale per group and channel.
    /// </summary>
    int GroupSize { get; }
}

/// <summary>Per-channel weights: q in [-7, 7], int8 weight 16 * q, the channel scale carries the 1/16.</summary>
public readonly struct PerChannel : IWeightGranularity
{
    /// <inheritdoc />
    public int GroupSize => 0;
}

/// <summary>Per-group weights with groups of 128 input features (the QQQ reference's only group size).</summary>
public readonly struct PerGroup128 : IWeightGranularity
{
    /// <inheritdoc />
    public int GroupSize => 128;
}

/// <summary>Per-group weights with groups of 64 input features.</summary>
public readonly struct PerGroup64 : IWeightGranularity
{
    /// <inheritdoc />
    public int GroupSize => 64;
}

/// <summary>Per-group weights with groups of 32 input features (the smallest: one group per 32-wide k-block).</summary>
public readonly struct PerGroup32 : IWeightGranularity
{
    /// <inheritdoc />
    public int GroupSize => 32;
}
