namespace QQQ.Runtime.Tests.Model;

/// <summary>
/// Generation through the KV cache (prompt prefill, then one decode step per token) against recomputing the whole
/// sequence with <see cref="QQQModel{TGranularity}.Forward"/> for every token (no cache reuse: Forward starts at position 0).
/// </summary>
[Collection(Stories260KCollection.Name)]
public class KeyValueCacheTests(Stories260KArtifact artifact)
{
    [Theory]
    [InlineData(512)]   // the prompt in one prefill
    [InlineData(3)]     // the prompt in prefills of 3 tokens, each appending to the cache
    public void GreedyGenerationMatchesForwardOverTheWholeSequence(int prefillChunk)
    {
        const string prompt = "Once upon a time, there was a little dog named Max. Max liked to";
        const int steps = 24;
        using var model = artifact.Load(new QQQModelOptions { PrefillChunk = prefillChunk });

        var generated = string.Concat(model.Generate(prompt, new GenerationSettings { MaxTokens = steps, StopAtEndOfSequence = false }));

        Assert.Equal(GreedyByForward.Continue(model, prompt, steps), generated);
    }
}
