namespace QQQ.Runtime.Tests.Model;

/// <summary>
/// <see cref="QQQModel{TGranularity}.GenerateTokens"/>: token ids through the KV cache, the same tokens as recomputing the
/// whole sequence for every step and the same text as <see cref="QQQModel{TGranularity}.Generate(string, GenerationSettings?)"/>.
/// </summary>
[Collection(Stories260KCollection.Name)]
public class GenerateTokensTests(Stories260KArtifact artifact)
{
    const string Prompt = "Once upon a time, there was a little dog named Max. Max liked to";

    [Theory]
    [InlineData(512)]   // the prompt in one prefill
    [InlineData(5)]     // the prompt in prefills of 5 tokens
    public void GreedyTokensMatchForwardOverTheWholeSequenceAndGenerate(int prefillChunk)
    {
        const int steps = 20;
        using var model = artifact.Load(new QQQModelOptions { PrefillChunk = prefillChunk });
        var promptIds = model.Tokenizer.Encode(Prompt, addBos: true);
        var settings = new GenerationSettings { MaxTokens = steps, StopAtEndOfSequence = false };

        var tokens = model.GenerateTokens(promptIds, settings).ToList();

        Assert.Equal(GreedyByForward.Ids(model, promptIds, steps), tokens);
        var stream = new QQQ.Formats.Tokenizers.TokenTextStream(model.Tokenizer, promptIds);
        Assert.Equal(string.Concat(model.Generate(Prompt, settings)), string.Concat(tokens.Select(stream.Push)) + stream.Flush());
    }

    [Fact]
    public void GenerationStopsAtTheContext()
    {
        using var model = artifact.Load(new QQQModelOptions { ContextLength = 16 });
        var promptIds = artifact.Tokens[..10];

        var tokens = model.GenerateTokens(promptIds, new GenerationSettings { MaxTokens = 100, StopAtEndOfSequence = false }).ToList();

        Assert.Equal(16 - 10, tokens.Count);   // prompt and generated tokens fill the context
    }

    [Fact]
    public void BadPromptsAndSettingsAreRejectedBeforeAnyWork()
    {
        using var model = artifact.Load(new QQQModelOptions { ContextLength = 16 });

        Assert.Throws<ArgumentException>(() => model.GenerateTokens([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GenerateTokens([1, 512]));
        Assert.Contains("context holds 16", Assert.Throws<ArgumentException>(() => model.GenerateTokens(artifact.Tokens[..16])).Message);
        Assert.Throws<ArgumentException>(() => model.GenerateTokens([1], new GenerationSettings { StopStrings = ["."] }));
        Assert.Single(model.GenerateTokens([1], new GenerationSettings { MaxTokens = 1 }));
    }
}
