using QQQ.Formats.Tokenizers;

namespace QQQ.Runtime.Tests.Model;

/// <summary>Greedy continuation computed without the KV cache, to check generation through it.</summary>
static class GreedyByForward
{
    /// <summary>
    /// The text <see cref="QQQModel{TGranularity}.Generate(string, GenerationSettings?)"/> should stream for
    /// <paramref name="steps"/> greedy tokens (end of sequence not stopping it): the tokens of <see cref="Ids"/> after
    /// the encoded prompt, as text.
    /// </summary>
    public static string Continue<TGranularity>(QQQModel<TGranularity> model, string prompt, int steps)
        where TGranularity : struct, IWeightGranularity
    {
        var promptIds = model.Tokenizer.Encode(prompt, addBos: true);
        var stream = new TokenTextStream(model.Tokenizer, promptIds);
        return string.Concat(Ids(model, promptIds, steps).Select(stream.Push)) + stream.Flush();
    }

    /// <summary>
    /// <paramref name="steps"/> greedy token ids after <paramref name="promptIds"/>: each the highest logit (lowest id on
    /// ties, as the sampler picks) of <see cref="QQQModel{TGranularity}.Forward"/> over the whole sequence so far, which
    /// runs from position 0 every time.
    /// </summary>
    public static List<int> Ids<TGranularity>(QQQModel<TGranularity> model, IReadOnlyList<int> promptIds, int steps)
        where TGranularity : struct, IWeightGranularity
    {
        var ids = promptIds.ToList();
        for (int step = 0; step < steps; step++)
        {
            var logits = model.Forward(ids.ToArray()).AsSpan(^model.Config.VocabSize..);
            int next = 0;
            for (int i = 1; i < logits.Length; i++)
                if (logits[i] > logits[next]) next = i;
            ids.Add(next);
        }
        return ids[promptIds.Count..];
    }
}
