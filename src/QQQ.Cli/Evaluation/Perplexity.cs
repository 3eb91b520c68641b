using QQQ.Formats;

namespace QQQ.Cli.Evaluation;

/// <summary>Perplexity of a token stream: <c>exp(mean NLL)</c> over non-overlapping windows.</summary>
public sealed record PerplexityResult(double Perplexity, double Nll, int Tokens, int Windows, long Predicted);

public static class Perplexity
{
    /// <summary>
    /// Windows <c>ids[k*W:(k+1)*W]</c> for <c>k &lt; len(ids)/W</c> (the tail is dropped), each scored alone;
    /// the mean is over the W-1 predictions of every window. <paramref name="maxWindows"/> keeps the first ones.
    /// </summary>
    public static PerplexityResult Evaluate(ILanguageModelEngine engine, int[] ids, int window, int? maxWindows,
        string textPath, Action<int, int>? progress = null)
    {
        if (window < 2) throw new ArgumentOutOfRangeException(nameof(window), "a window needs at least 2 tokens");
        if (window > engine.Config.MaxSequenceLength)
            throw new UsageException($"--window {window} is longer than the model's context ({engine.Config.MaxSequenceLength})");
        int count = ids.Length / window;
        if (count == 0)
            throw new ModelFormatException(textPath, $"text has {ids.Length} tokens, fewer than one window of {window}");
        if (maxWindows is int max) count = Math.Min(count, max);

        double total = 0;
        for (int start = 0; start < count; start += engine.PreferredBatch)
        {
            int batch = Math.Min(engine.PreferredBatch, count - start);
            var windows = Enumerable.Range(start, batch).Select(k => ids[(k * window)..((k + 1) * window)]).ToArray();
            total += engine.WindowNll(windows).Sum();
            progress?.Invoke(start + batch, count);
        }
        long predicted = (long)count * (window - 1);
        double nll = total / predicted;
        return new PerplexityResult(Math.Exp(nll), nll, ids.Length, count, predicted);
    }
}
