using System.Security.Cryptography;
using System.Text;
using QQQ.Formats.Tokenizers;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Tokenizers;

/// <summary>The SentencePiece tokenizer against the ids sentencepiece produced for llama-sotu-26m (reference.json).</summary>
public class SentencePieceTextTokenizerTests
{
    static readonly Lazy<SentencePieceTextTokenizer> Sotu =
        new(() => SentencePieceTextTokenizer.Load(Path.Combine(SharedData.LlamaSotu, "tokenizer.model")));

    static readonly Lazy<System.Text.Json.JsonElement> Reference = new(() => TestTexts.ReferenceJson(SharedData.LlamaSotu));

    /// <summary>
    /// The text the reference ids were computed from. reference.json defines WikiText as the lines joined with "\n"
    /// and no trailing newline, while the shared file ends with one; its SHA-256 proves the text is the same.
    /// </summary>
    static string ReferenceText(string file, string referenceKey)
    {
        var text = TestTexts.Read(file);
        if (text.EndsWith('\n')) text = text[..^1];
        var expectedSha = Reference.Value.GetProperty("data").GetProperty(referenceKey).GetProperty("text_sha256").GetString();
        Assert.Equal(expectedSha, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))));
        return text;
    }

    [Theory]
    [InlineData("wikitext2-test.raw", "wikitext2_test", "wikitext2_test_ids_uint16.npy", 332754)]
    [InlineData("sotu-holdout.txt", "sotu_holdout", "sotu_holdout_ids_uint16.npy", 128800)]
    public void EncodeWithBosEqualsReferenceIds(string textFile, string referenceKey, string idsFile, int expectedCount)
    {
        var expected = Npy.Read(Path.Combine(SharedData.LlamaSotu, idsFile)).AsInt32();
        Assert.Equal(expectedCount, expected.Length);
        var actual = Sotu.Value.Encode(ReferenceText(textFile, referenceKey), addBos: true);
        int first = Enumerable.Range(0, Math.Min(expected.Length, actual.Length)).FirstOrDefault(i => expected[i] != actual[i], -1);
        Assert.True(first < 0 && expected.Length == actual.Length,
            $"lengths {actual.Length} vs {expected.Length}; first difference at {first}: " +
            (first < 0 ? "" : $"actual [{string.Join(",", actual[Math.Max(0, first - 3)..Math.Min(actual.Length, first + 8)])}] " +
                              $"expected [{string.Join(",", expected[Math.Max(0, first - 3)..Math.Min(expected.Length, first + 8)])}]"));
    }

    [Fact]
    public void ScoreTiesGoToTheLeftmostPairAsInSentencepiece()
    {
        // Around WikiText id 179310 the reference holds "approximately 100 Mark VIIIs were": sentencepiece splits
        // "▁VIIIs" as "▁VII|Is" (two equal-score "II" pairs: the left one merges first); Microsoft.ML.Tokenizers 2.0.1
        // alone gives "▁VIII|s".
        var expected = Npy.Read(Path.Combine(SharedData.LlamaSotu, "wikitext2_test_ids_uint16.npy")).AsInt32()[179310..179319];
        const string text = "approximately 100 Mark VIIIs were";
        Assert.Equal(text, Sotu.Value.Decode(expected));
        Assert.Equal(expected, Sotu.Value.Encode(text, addBos: false));
    }

    [Fact]
    public void First64WikiIdsDecodeToTheirTextAndBack()
    {
        var logits = Reference.Value.GetProperty("reference").GetProperty("logits_file");
        var ids = TestTexts.Ints(logits.GetProperty("input_ids"));
        var text = logits.GetProperty("input_text").GetString()!;
        Assert.Equal(text, Sotu.Value.Decode(ids));
        Assert.Equal(ids, Sotu.Value.Encode(text, addBos: true));
    }

    [Theory]
    [InlineData("float32", "state_of_union")]
    [InlineData("float16", "state_of_union")]
    [InlineData("float32", "bos_only")]
    [InlineData("float16", "bos_only")]
    public void GreedyReferenceDecodes(string precision, string run)
    {
        var greedy = Reference.Value.GetProperty("reference").GetProperty(precision).GetProperty("greedy_48").GetProperty(run);
        var promptIds = TestTexts.Ints(greedy.GetProperty("prompt_ids"));
        var newIds = TestTexts.Ints(greedy.GetProperty("new_ids"));
        if (greedy.GetProperty("prompt").GetString() is { } prompt)
            Assert.Equal(promptIds, Sotu.Value.Encode(prompt, addBos: true));
        // bos_only's new ids contain BOS mid-sequence: skipped, the next piece keeps its space.
        Assert.Equal(greedy.GetProperty("full_text").GetString(), Sotu.Value.Decode([.. promptIds, .. newIds]));
        Assert.Equal(greedy.GetProperty("new_text").GetString(), Sotu.Value.Decode(newIds));
    }

    [Fact]
    public void MultiByteTextRoundTripsThroughByteFallback()
    {
        var ids = Sotu.Value.Encode(TestTexts.MultiByte, addBos: true);
        // 🙂 (F0 9F 99 82) is no piece of the Llama vocabulary: byte tokens <0xF0>.. at ids 3 + byte.
        Assert.Contains(0xF0 + 3, ids);
        Assert.Equal(TestTexts.MultiByte, Sotu.Value.Decode(ids));
    }

    [Fact]
    public void SpecialTokenTextIsPlainText()
    {
        const string text = "a <s> b </s> c <unk>";
        var ids = Sotu.Value.Encode(text, addBos: false);
        Assert.DoesNotContain(1, ids);
        Assert.DoesNotContain(2, ids);
        Assert.DoesNotContain(0, ids);
        Assert.Equal(text, Sotu.Value.Decode(ids));
    }

    [Fact]
    public void EmptyTextAndSpecialIds()
    {
        Assert.Equal([1], Sotu.Value.Encode("", addBos: true));
        Assert.Empty(Sotu.Value.Encode("", addBos: false));
        Assert.Equal((32000, 1, 2), (Sotu.Value.VocabSize, Sotu.Value.BosTokenId, Sotu.Value.EosTokenId));
        Assert.Equal("Hi", Sotu.Value.Decode([.. Sotu.Value.Encode("Hi", addBos: true), 2, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sotu.Value.Decode([32000]));
    }
}
