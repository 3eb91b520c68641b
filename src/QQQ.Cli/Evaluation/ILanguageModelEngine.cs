using QQQ.Formats;

namespace QQQ.Cli.Evaluation;

/// <summary>A way of running a model (FP32 reference, exact W4A8 simulation, the ILGPU runtime) for eval and generate.</summary>
public interface ILanguageModelEngine : IDisposable
{
    ModelConfig Config { get; }

    /// <summary>How many windows one <see cref="WindowNll"/> call should score together.</summary>
    int PreferredBatch { get; }

    /// <summary>For each window, the summed NLL of its T-1 next-token predictions, each window scored alone.</summary>
    double[] WindowNll(IReadOnlyList<int[]> windows);

    /// <summary>Logits (vocab) for the token that follows <paramref name="ids"/>.</summary>
    float[] NextTokenLogits(IReadOnlyList<int> ids);
}
