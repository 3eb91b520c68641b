using QQQ.Formats;
using QQQ.Runtime.Generation;

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

    /// <summary>
    /// Streams the continuation of <paramref name="prompt"/> (after BOS) as text pieces, stopping at EOS or after
    /// <paramref name="maxTokens"/> tokens or at the context. The default recomputes the whole prefix every step.
    /// </summary>
    IEnumerable<string> Generate(ITextTokenizer tokenizer, string prompt, int maxTokens, SamplingSettings sampling)
    {
        var ids = new List<int>(tokenizer.Encode(prompt, addBos: true));
        if (ids.Count >= Config.MaxSequenceLength)
            throw new ArgumentException($"the prompt has {ids.Count} tokens; the model's context is {Config.MaxSequenceLength}");
        var sampler = new TokenSampler(sampling);
        var stream = new QQQ.Formats.Tokenizers.TokenTextStream(tokenizer, ids.ToArray());
        for (int step = 0; step < maxTokens && ids.Count < Config.MaxSequenceLength; step++)
        {
            int next = sampler.Next(NextTokenLogits(ids));
            if (next == tokenizer.EosTokenId) break;
            ids.Add(next);
            yield return stream.Push(next);
        }
        yield return stream.Flush();
    }
}
