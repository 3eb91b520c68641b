using QQQ.Formats.Tokenizers;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Tokenizers;

/// <summary>The llama2.c tokenizer against stories260K's references and a transcription of llama2.c's encode.</summary>
public class Llama2cTokenizerTests
{
    const int StoriesVocab = 512;

    static readonly Lazy<Llama2cTokenizer> Stories = new(() => Llama2cTokenizer.Load(SharedData.Stories260KTokenizer, StoriesVocab));

    [Fact]
    public void TinyStoriesHeadEncodesTo100708TokensWithBos()
    {
        // Independent NumPy reference (shared/README.md): [BOS] + encode(text) has 100708 tokens.
        var ids = Stories.Value.Encode(TestTexts.Read("tinystories-head.txt"), addBos: true);
        Assert.Equal(100708, ids.Length);
        Assert.Equal(1, ids[0]);
    }

    [Fact]
    public void EncodeReproducesReferencePromptIds()
    {
        // reference.json: the first 64 ids of [BOS] + encode(first 30000 chars of tinystories-head.txt).
        var reference = TestTexts.ReferenceJson(SharedData.Stories260KHf);
        var expected = TestTexts.Ints(reference.GetProperty("tinystories_first30000chars_first64_ids"));
        var text = TestTexts.Read("tinystories-head.txt")[..30000];
        var ids = Stories.Value.Encode(text, addBos: true);
        Assert.Equal(expected, ids[..expected.Length]);
    }

    [Fact]
    public void DecodeOfGreedyIdsAfterBosGivesReferenceText()
    {
        var greedy = TestTexts.ReferenceJson(SharedData.Stories260KHf).GetProperty("greedy_from_bos");
        int[] ids = [1, .. TestTexts.Ints(greedy.GetProperty("ids"))];
        Assert.Equal(greedy.GetProperty("text").GetString(), Stories.Value.Decode(ids));
    }

    [Fact]
    public void DecodeKeepsTheDummyPrefixSpaceWithoutBos()
    {
        const string text = "Once upon a time";
        Assert.Equal(text, Stories.Value.Decode(Stories.Value.Encode(text, addBos: true)));
        Assert.Equal(" " + text, Stories.Value.Decode(Stories.Value.Encode(text, addBos: false)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(40_000)]
    [InlineData(150_000)]
    public void MatchesNaiveLlama2cEncodeOnTinyStoriesSamples(int start)
    {
        var naive = new NaiveLlama2cEncoder(SharedData.Stories260KTokenizer, StoriesVocab);
        var text = TestTexts.Read("tinystories-head.txt").Substring(start, 3000);
        Assert.Equal(naive.Encode(text, bos: true), Stories.Value.Encode(text, addBos: true));
        Assert.Equal(naive.Encode(text, bos: false), Stories.Value.Encode(text, addBos: false));
    }

    [Theory]
    [InlineData(TestTexts.MultiByte)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("  two leading spaces,\ttabs\nand\n\nnewlines  ")]
    [InlineData("<0x41> <s> </s> <unk> literal specials")]
    [InlineData("aaaaaaaaaa eeeeeeeee ttttttt llllll IIIIIII")] // equal-score overlapping pairs: the leftmost merges
    public void MatchesNaiveLlama2cEncodeOnEdgeCases(string text)
    {
        var naive = new NaiveLlama2cEncoder(SharedData.Stories260KTokenizer, StoriesVocab);
        Assert.Equal(naive.Encode(text, bos: true), Stories.Value.Encode(text, addBos: true));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void MatchesNaiveLlama2cEncodeOnRandomText(int seed)
    {
        var random = new Random(seed);
        const string alphabet = "aaeeiilnnosstt  .,\n'é";
        var text = new string(Enumerable.Range(0, 2000).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        var naive = new NaiveLlama2cEncoder(SharedData.Stories260KTokenizer, StoriesVocab);
        Assert.Equal(naive.Encode(text, bos: true), Stories.Value.Encode(text, addBos: true));
    }

    [Fact]
    public void MultiByteTextFallsBackToBytesAndRoundTrips()
    {
        var ids = Stories.Value.Encode(TestTexts.MultiByte, addBos: true);
        // 東 is E6 9D B1: not a piece of a 512-token vocabulary, so its bytes appear as ids byte + 3.
        Assert.Contains(0xE6 + 3, ids);
        Assert.Equal(TestTexts.MultiByte, Stories.Value.Decode(ids));
    }

    [Fact]
    public void EmptyTextIsBosOnlyOrNothing()
    {
        Assert.Equal([1], Stories.Value.Encode("", addBos: true));
        Assert.Empty(Stories.Value.Encode("", addBos: false));
    }

    [Fact]
    public void DecodeDropsSpecialTokensAndRejectsUnknownIds()
    {
        var ids = Stories.Value.Encode("Hi", addBos: true);
        Assert.Equal("Hi", Stories.Value.Decode([.. ids, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Stories.Value.Decode([1, StoriesVocab]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Stories.Value.Decode([-1]));
    }
}
