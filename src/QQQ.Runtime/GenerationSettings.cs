using QQQ.Runtime.Generation;

namespace QQQ.Runtime;

/// <summary>
/// How <see cref="QQQModel{TGranularity}.Generate"/> continues a prompt. Defaults: greedy (reproducible),
/// at most 256 new tokens, stop at the model's end-of-sequence token.
/// </summary>
public sealed record GenerationSettings
{
    public int MaxTokens { get; init; } = 256;

    public SamplingSettings Sampling { get; init; } = SamplingSettings.Greedy;

    /// <summary>Generation ends once the text produced contains any of these (the stop string itself is not returned).</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    public bool StopAtEndOfSequence { get; init; } = true;

    public void Validate()
    {
        if (MaxTokens < 0) throw new ArgumentOutOfRangeException(nameof(MaxTokens), "MaxTokens must be >= 0");
        ArgumentNullException.ThrowIfNull(Sampling);
        Sampling.Validate();
        if (StopStrings.Any(string.IsNullOrEmpty)) throw new ArgumentException("stop strings must be non-empty", nameof(StopStrings));
    }
}
