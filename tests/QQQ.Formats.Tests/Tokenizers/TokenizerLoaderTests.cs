using System.Buffers.Binary;
using QQQ.Formats.Tokenizers;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Tokenizers;

/// <summary>Format detection, the vocabulary check against the model, and finding a model's tokenizer file.</summary>
public class TokenizerLoaderTests : IDisposable
{
    readonly TempFolder _folder = new();
    static string SotuModel => Path.Combine(SharedData.LlamaSotu, "tokenizer.model");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void DetectsBothFormats()
    {
        Assert.IsType<Llama2cTokenizer>(TokenizerLoader.Open(SharedData.Stories260KTokenizer, 512));
        var sentencePiece = Assert.IsType<SentencePieceTextTokenizer>(TokenizerLoader.Open(SotuModel, 32000));
        Assert.Equal(32000, sentencePiece.VocabSize);
    }

    [Fact]
    public void SentencePieceModelMayBeSmallerThanThePaddedModelVocabulary() =>
        Assert.Equal(32000, TokenizerLoader.Open(SotuModel, 32064).VocabSize);

    [Fact]
    public void SentencePieceModelLargerThanTheModelVocabularyIsRefused()
    {
        var error = Assert.Throws<ModelFormatException>(() => TokenizerLoader.Open(SotuModel, 31999));
        Assert.Equal(SotuModel, error.FilePath);
        Assert.Contains("32000 tokens, more than the model's vocabulary of 31999", error.Problem);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(4096)]
    public void Llama2cTokenizerOfAnotherSizeIsRefused(int modelVocab)
    {
        var error = Assert.Throws<ModelFormatException>(() => TokenizerLoader.Open(SharedData.Stories260KTokenizer, modelVocab));
        Assert.Equal(SharedData.Stories260KTokenizer, error.FilePath);
    }

    [Theory]
    [InlineData(10)] // first byte 0x0A, like a protobuf's first field tag
    [InlineData(266)] // 0x10A: bytes 0A 01 00 00
    public void Llama2cFileThatStartsLikeProtobufIsStillLlama2c(int maxTokenLength)
    {
        var bytes = File.ReadAllBytes(SharedData.Stories260KTokenizer);
        BinaryPrimitives.WriteInt32LittleEndian(bytes, maxTokenLength);
        var tokenizer = TokenizerLoader.Open(_folder.Write("tok512.bin", bytes), 512);
        Assert.IsType<Llama2cTokenizer>(tokenizer);
        Assert.Equal("Once upon a time", tokenizer.Decode(tokenizer.Encode("Once upon a time", addBos: true)));
    }

    [Fact]
    public void JsonTokenizerIsRefusedWithAHint()
    {
        var path = _folder.Write("tokenizer.json", "{\"version\": \"1.0\"}"u8.ToArray());
        Assert.Contains("tokenizer.json", Assert.Throws<ModelFormatException>(() => TokenizerLoader.Open(path, 32000)).Problem);
    }

    [Fact]
    public void FindsTheTokenizerOfTheSharedModels()
    {
        Assert.Equal(SotuModel, TokenizerLoader.FindBeside(SharedData.LlamaSotu));
        Assert.Equal(SotuModel, TokenizerLoader.FindBeside(Path.Combine(SharedData.LlamaSotu, "model.safetensors")));
        Assert.Equal(SharedData.Stories260KTokenizer, TokenizerLoader.FindBeside(SharedData.Stories260KBin));
        Assert.Equal(Path.Combine(SharedData.Stories260KHf, "tok512.bin"), TokenizerLoader.FindBeside(SharedData.Stories260KHf));
    }

    [Fact]
    public void PrefersTokenizerModelThenTokenizerBin()
    {
        _folder.Write("tok512.bin", []);
        Assert.Equal(Path.Combine(_folder.Path, "tok512.bin"), TokenizerLoader.FindBeside(_folder.Path));
        _folder.Write("tokenizer.bin", []);
        Assert.Equal(Path.Combine(_folder.Path, "tokenizer.bin"), TokenizerLoader.FindBeside(_folder.Path));
        _folder.Write("tokenizer.model", []);
        Assert.Equal(Path.Combine(_folder.Path, "tokenizer.model"), TokenizerLoader.FindBeside(Path.Combine(_folder.Path, "model.safetensors")));
    }

    [Fact]
    public void NoTokenizerIsNullAndSeveralAreAnError()
    {
        _folder.Write("model.bin", []);
        Assert.Null(TokenizerLoader.FindBeside(_folder.Path));
        _folder.Write("tok512.bin", []);
        _folder.Write("tok4096.bin", []);
        var error = Assert.Throws<ModelFormatException>(() => TokenizerLoader.FindBeside(_folder.Path));
        Assert.Contains("tok4096.bin", error.Problem);
    }
}
