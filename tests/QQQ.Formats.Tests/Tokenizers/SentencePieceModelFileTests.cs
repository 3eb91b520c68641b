using QQQ.Formats.Tokenizers;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Tokenizers;

/// <summary>Malformed SentencePiece model files are refused with a message naming the file.</summary>
public class SentencePieceModelFileTests : IDisposable
{
    readonly TempFolder _folder = new();
    readonly byte[] _good = File.ReadAllBytes(Path.Combine(SharedData.LlamaSotu, "tokenizer.model"));

    public void Dispose() => _folder.Dispose();

    ModelFormatException Refused(byte[] contents)
    {
        var path = _folder.Write("tokenizer.model", contents);
        var error = Assert.Throws<ModelFormatException>(() => SentencePieceTextTokenizer.Load(path));
        Assert.Equal(path, error.FilePath);
        return error;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(250_000)]
    public void TruncatedModelIsRefused(int length) => Refused(_good[..length]);

    [Fact]
    public void EmptyFileIsRefused() => Assert.Contains("no pieces", Refused([]).Problem);

    [Fact]
    public void GarbageIsRefused() => Refused([0x0A, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);

    [Fact]
    public void UnigramModelIsRefused()
    {
        // TrainerSpec: model_type (field 3) = BPE (2), then vocab_size (field 4) = 32000.
        byte[] bpeThenVocab = [0x18, 0x02, 0x20, 0x80, 0xFA, 0x01];
        int at = _good.AsSpan().IndexOf(bpeThenVocab);
        Assert.True(at > 0);
        var unigram = _good.ToArray();
        unigram[at + 1] = 0x01;
        Assert.Contains("not BPE", Refused(unigram).Problem);
    }
}
