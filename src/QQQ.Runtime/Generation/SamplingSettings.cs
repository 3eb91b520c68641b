namespace QQQ.Runtime.Generation;

/// <summary>
/// How the next token is chosen from logits. Temperature 0 is greedy (argmax, lowest id on ties);
/// otherwise softmax(logits / T) restricted to the top-k tokens (0 = all) and to the smallest set whose
/// probability reaches top-p, sampled with a generator seeded by <see cref="Seed"/>.
/// </summary>
public sealed record SamplingSettings
{
    public float Temperature { get; init; }
    public int TopK { get; init; }
    public float TopP { get; init; } = 1f;
    public int Seed { get; init; }

    public static SamplingSettings Greedy { get; } = new();

    public void Validate()
    {
        if (!(Temperature >= 0) || float.IsInfinity(Temperature)) throw new ArgumentOutOfRangeException(nameof(Temperature), "temperature must be >= 0");
        if (TopK < 0) throw new ArgumentOutOfRangeException(nameof(TopK), "top-k must be >= 0");
        if (!(TopP > 0 && TopP <= 1)) throw new ArgumentOutOfRangeException(nameof(TopP), "top-p must be in (0, 1]");
    }
}
