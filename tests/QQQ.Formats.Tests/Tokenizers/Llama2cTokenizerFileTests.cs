using System.Buffers.Binary;
using QQQ.Formats.Tokenizers;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Tokenizers;

/// <summary>Malformed or mismatched llama2.c tokenizer files are refused with a message naming the file.</summary>
public class Llama2cTokenizerFileTests : IDisposable
{
    const int Vocab = 512;
    readonly TempFolder _folder = new();
    readonly byte[] _good = File.ReadAllBytes(SharedData.Stories260KTokenizer);

    public void Dispose() => _folder.Dispose();

    ModelFormatException Refused(byte[] contents, int vocabSize = Vocab)
    {
        var path = _folder.Write("tok.bin", contents);
        var error = Assert.Throws<ModelFormatException>(() => Llama2cTokenizer.Load(path, vocabSize));
        Assert.Equal(path, error.FilePath);
        Assert.StartsWith(path + ": ", error.Message);
        return error;
    }

    /// <summary>Offset of token <paramref name="id"/>'s score in the good file.</summary>
    int TokenOffset(int id)
    {
        int at = 4;
        for (int i = 0; i < id; i++) at += 8 + BinaryPrimitives.ReadInt32LittleEndian(_good.AsSpan(at + 4));
        return at;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(6)] // inside token 0's header
    [InlineData(14)] // inside token 0's piece "<unk>"
    public void TruncatedFileIsRefused(int length) => Refused(_good[..length]);

    [Fact]
    public void FileCutInsideTheLastTokenIsRefused() =>
        Assert.Contains("truncated", Refused(_good[..^1]).Problem);

    [Fact]
    public void FileEndingAtATokenBoundaryReportsTheCount()
    {
        var error = Refused(_good[..TokenOffset(300)]);
        Assert.Contains("holds 300 tokens", error.Problem);
        Assert.Contains("512", error.Problem);
    }

    [Fact]
    public void ModelVocabularySmallerThanTheFileIsRefused() =>
        Assert.Contains("more tokens than the model's vocabulary of 511", Refused(_good, vocabSize: 511).Problem);

    [Fact]
    public void ModelVocabularyLargerThanTheFileIsRefused() =>
        Assert.Contains("holds 512 tokens, but the model's vocabulary has 600", Refused(_good, vocabSize: 600).Problem);

    [Fact]
    public void VocabularyWithoutRoomForByteTokensIsRefused() =>
        Assert.Contains("at least 259", Refused(_good, vocabSize: 100).Problem);

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(int.MaxValue)]
    public void AbsurdMaxTokenLengthIsRefused(int maxTokenLength)
    {
        var bad = _good.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(bad, maxTokenLength);
        Assert.Contains("max_token_length", Refused(bad).Problem);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(8)] // above the file's max_token_length of 7
    [InlineData(1 << 30)]
    public void AbsurdPieceLengthIsRefused(int length)
    {
        var bad = _good.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(bad.AsSpan(TokenOffset(100) + 4), length);
        Assert.Contains($"token 100 has length {length}", Refused(bad).Problem);
    }

    [Fact]
    public void MisplacedByteTokenIsRefused()
    {
        var bad = _good.ToArray();
        bad[TokenOffset(3) + 8 + 4] = (byte)'7'; // "<0x00>" -> "<0x70>"
        Assert.Contains("byte token <0x00>", Refused(bad).Problem);
    }

    [Fact]
    public void NonPositiveVocabularyIsAnArgumentError()
    {
        var path = _folder.Write("tok.bin", _good);
        Assert.Throws<ArgumentOutOfRangeException>(() => Llama2cTokenizer.Load(path, 0));
    }
}
