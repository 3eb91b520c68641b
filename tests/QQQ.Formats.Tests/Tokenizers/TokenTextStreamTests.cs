using QQQ.Formats.Tokenizers;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Tokenizers;

/// <summary>Streaming decode gives the same text as decoding everything at once, never a half character.</summary>
public class TokenTextStreamTests
{
    const string Text = TestTexts.MultiByte + " — and then: 東京タワー!";

    static readonly Lazy<ITextTokenizer[]> Tokenizers = new(() =>
    [
        TokenizerLoader.Open(SharedData.Stories260KTokenizer, 512),
        TokenizerLoader.Open(Path.Combine(SharedData.LlamaSotu, "tokenizer.model"), 32000),
    ]);

    static List<string> StreamAll(ITextTokenizer tokenizer, ReadOnlySpan<int> ids, ReadOnlySpan<int> context = default)
    {
        var stream = new TokenTextStream(tokenizer, context);
        var pieces = new List<string>();
        foreach (int id in ids) pieces.Add(stream.Push(id));
        pieces.Add(stream.Flush());
        return pieces;
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(1, false)]
    public void PiecesConcatenateToDecodeOfAllIds(int tokenizer, bool addBos)
    {
        var t = Tokenizers.Value[tokenizer];
        var ids = t.Encode(Text, addBos);
        var pieces = StreamAll(t, ids);
        Assert.Equal(t.Decode(ids), string.Concat(pieces));
        Assert.DoesNotContain(pieces, p => p.Contains('\uFFFD'));
        // Characters spelled as several byte tokens are held back until complete, then printed whole.
        Assert.Contains("", pieces[..^1]);
        Assert.Contains(pieces, p => p.Contains("🙂"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void ContextIsNotRepeatedAndSpacesTheFirstPiece(int tokenizer)
    {
        var t = Tokenizers.Value[tokenizer];
        var ids = t.Encode("Once upon a time 東京 there was", addBos: true);
        for (int split = 1; split < ids.Length; split++)
        {
            var context = ids[..split];
            if (t.Decode(context).EndsWith('\uFFFD')) continue; // context ending inside a character: nothing was shown whole
            var text = string.Concat(StreamAll(t, ids[split..], context));
            Assert.Equal(t.Decode(ids)[t.Decode(context).Length..], text);
        }
    }

    [Fact]
    public void GreedyContinuationOfThePromptStreamsAsTheReferenceText()
    {
        var greedy = TestTexts.ReferenceJson(SharedData.LlamaSotu).GetProperty("reference").GetProperty("float32")
            .GetProperty("greedy_48").GetProperty("state_of_union");
        var prompt = TestTexts.Ints(greedy.GetProperty("prompt_ids"));
        var text = string.Concat(StreamAll(Tokenizers.Value[1], TestTexts.Ints(greedy.GetProperty("new_ids")), prompt));
        Assert.Equal(" " + greedy.GetProperty("new_text").GetString(), text);
    }

    [Fact]
    public void IncompleteCharacterIsHeldUntilFlush()
    {
        var t = Tokenizers.Value[1];
        var stream = new TokenTextStream(t, [t.BosTokenId]);
        Assert.Equal("Hi", stream.Push(t.Encode("Hi", addBos: false)[0]));
        Assert.Equal("", stream.Push(0xF0 + 3)); // first two bytes of 🙂 (F0 9F 99 82)
        Assert.Equal("", stream.Push(0x9F + 3));
        Assert.Equal("\uFFFD", stream.Flush());
        Assert.Equal("", stream.Flush());
    }
}
