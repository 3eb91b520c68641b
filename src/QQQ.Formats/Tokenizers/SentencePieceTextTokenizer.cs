using System.Buffers;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace QQQ.Formats.Tokenizers;

/// <summary>
/// A SentencePiece BPE <c>tokenizer.model</c> (Llama-2 style: dummy-prefix "▁", byte fallback). Microsoft.ML.Tokenizers
/// reads the model, normalizes the text and supplies the special ids; the merges follow sentencepiece exactly
/// (<see cref="SentencePieceBpe"/>). Decoding is Hugging Face's Llama decode with <c>skip_special_tokens</c>.
/// Text such as "&lt;s&gt;" is encoded as plain text, as sentencepiece does, never as a special token.
/// </summary>
public sealed class SentencePieceTextTokenizer : ITextTokenizer
{
    const char WhitespaceMark = '\u2581';
    /// <summary>A larger file is taken for something else (Llama-2's model is 0.5 MB).</summary>
    const long MaxModelBytes = 256L << 20;

    readonly SentencePieceTokenizer _tokenizer;
    readonly SentencePieceBpe _bpe;
    /// <summary>The bytes each id decodes to ("▁" as a space, byte tokens as their byte); empty for special tokens.</summary>
    readonly byte[][] _pieceBytes;

    SentencePieceTextTokenizer(SentencePieceTokenizer tokenizer, SentencePieceBpe bpe, byte[][] pieceBytes)
    {
        _tokenizer = tokenizer;
        _bpe = bpe;
        _pieceBytes = pieceBytes;
    }

    /// <summary>Reads a SentencePiece BPE model file; a file that is not one throws <see cref="ModelFormatException"/>.</summary>
    public static SentencePieceTextTokenizer Load(string path)
    {
        if (new FileInfo(path).Length > MaxModelBytes)
            throw new ModelFormatException(path, $"larger than {MaxModelBytes >> 20} MB: not a SentencePiece model");
        return Load(File.ReadAllBytes(path), path);
    }

    /// <summary>As <see cref="Load(string)"/> from the file's bytes; <paramref name="path"/> names it in errors.</summary>
    public static SentencePieceTextTokenizer Load(byte[] file, string path)
    {
        if (file.Length > MaxModelBytes)
            throw new ModelFormatException(path, $"larger than {MaxModelBytes >> 20} MB: not a SentencePiece model");
        var pieces = SentencePieceModelFile.ReadBpePieces(file, path);

        SentencePieceTokenizer tokenizer;
        try
        {
            tokenizer = LlamaTokenizer.Create(new MemoryStream(file, writable: false), addBeginOfSentence: false, addEndOfSentence: false);
        }
        catch (Exception e)
        {
            throw new ModelFormatException(path, $"Microsoft.ML.Tokenizers cannot read this SentencePiece model ({e.Message})", e);
        }
        if (tokenizer.Vocabulary.Count != pieces.Length)
            throw new ModelFormatException(path, $"Microsoft.ML.Tokenizers sees {tokenizer.Vocabulary.Count} pieces, the file holds {pieces.Length}");
        foreach (int special in (ReadOnlySpan<int>)[tokenizer.UnknownId, tokenizer.BeginningOfSentenceId, tokenizer.EndOfSentenceId])
            if ((uint)special >= (uint)pieces.Length)
                throw new ModelFormatException(path, $"special token id {special} lies outside the vocabulary of {pieces.Length}");

        var bpe = new SentencePieceBpe(pieces, tokenizer.ByteFallback, tokenizer.UnknownId, path);
        var pieceBytes = pieces.Select(p => p.Type switch
        {
            PieceType.Control or PieceType.Unknown => [],
            PieceType.Byte when ByteToken.TryParse(p.Piece, out byte value) => [value],
            _ => Encoding.UTF8.GetBytes(p.Piece.Replace(WhitespaceMark, ' ')),
        }).ToArray();
        return new SentencePieceTextTokenizer(tokenizer, bpe, pieceBytes);
    }

    /// <summary>Number of pieces in the model file.</summary>
    public int VocabSize => _pieceBytes.Length;

    /// <summary>Begin-of-sequence id from the model's trainer spec.</summary>
    public int BosTokenId => _tokenizer.BeginningOfSentenceId;

    /// <summary>End-of-sequence id from the model's trainer spec; never added by <see cref="Encode"/>.</summary>
    public int EosTokenId => _tokenizer.EndOfSentenceId;

    /// <summary>sentencepiece's encode (normalization with the dummy prefix, BPE, byte fallback); BOS prepended when asked,
    /// EOS never added.</summary>
    public int[] Encode(string text, bool addBos)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 2);
        if (addBos) ids.Add(BosTokenId);
        if (text.Length > 0) _bpe.Encode(_tokenizer.Normalizer?.Normalize(text) ?? text, ids);
        return [.. ids];
    }

    /// <summary>
    /// Hugging Face's Llama decode with special tokens skipped: "▁" is a space, byte tokens are joined into UTF-8, and
    /// one leading space (the dummy prefix) is removed from the result.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var bytes = new ArrayBufferWriter<byte>(ids.Length * 4 + 16);
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_pieceBytes.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id outside the vocabulary of {_pieceBytes.Length}");
            bytes.Write(_pieceBytes[id]);
        }
        var text = bytes.WrittenSpan;
        if (text.Length > 0 && text[0] == (byte)' ') text = text[1..];
        return Encoding.UTF8.GetString(text);
    }
}
