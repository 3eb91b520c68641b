using System.Buffers.Binary;
using System.Text;

namespace QQQ.Formats.Tokenizers;

/// <summary>
/// The pieces and merge scores of a llama2.c tokenizer file (<c>tokenizer.bin</c>, <c>tok512.bin</c>): an int32
/// max_token_length, then per token a float32 score, an int32 byte length and the piece bytes. The file does not
/// store the vocabulary size; it must equal the model's. Pieces are held as Latin-1 strings (one char per byte), so
/// lookups compare raw bytes exactly as llama2.c's <c>strcmp</c> does.
/// </summary>
internal sealed class Llama2cVocabulary
{
    /// <summary>Begin-of-sequence id, fixed by llama2.c.</summary>
    public const int BosId = 1;

    /// <summary>End-of-sequence id, fixed by llama2.c.</summary>
    public const int EosId = 2;

    /// <summary>Byte b falls back to token id b + 3.</summary>
    public const int ByteTokenOffset = 3;

    /// <summary>A longer piece than this is taken for a corrupt file.</summary>
    const int MaxPieceLength = 1 << 16;

    readonly string[] _pieces;
    readonly float[] _scores;
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    Llama2cVocabulary(string[] pieces, float[] scores, int maxTokenLength)
    {
        _pieces = pieces;
        _scores = scores;
        MaxTokenLength = maxTokenLength;
        var ids = new Dictionary<string, int>(pieces.Length, StringComparer.Ordinal);
        // llama2.c binary-searches a sorted copy; with duplicate pieces that finds either one. Keep the first.
        for (int id = 0; id < pieces.Length; id++) ids.TryAdd(pieces[id], id);
        _lookup = ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Number of tokens (the model's vocabulary size).</summary>
    public int Count => _pieces.Length;

    /// <summary>Longest piece in bytes, as declared by the file.</summary>
    public int MaxTokenLength { get; }

    /// <summary>The piece of a token, one char per byte.</summary>
    public string Piece(int id) => _pieces[id];

    /// <summary>The merge score of a token; higher merges first.</summary>
    public float Score(int id) => _scores[id];

    /// <summary>Finds the token whose piece is exactly <paramref name="piece"/> (one char per byte).</summary>
    public bool TryFind(ReadOnlySpan<char> piece, out int id) => _lookup.TryGetValue(piece, out id);

    /// <summary>Reads and validates a llama2.c tokenizer file holding exactly <paramref name="vocabSize"/> tokens.</summary>
    public static Llama2cVocabulary Read(string path, int vocabSize)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path, vocabSize);
    }

    /// <summary>As <see cref="Read(string, int)"/> from a stream; <paramref name="path"/> names it in errors.</summary>
    public static Llama2cVocabulary Read(Stream stream, string path, int vocabSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabSize);
        if (vocabSize < ByteTokenOffset + 256)
            throw new ModelFormatException(path,
                $"a llama2.c tokenizer needs at least {ByteTokenOffset + 256} tokens (3 special, 256 byte tokens), but the model's vocabulary has {vocabSize}");

        long remaining = stream.Length;
        Span<byte> header = stackalloc byte[8];

        if (!TryRead(stream, header[..4], ref remaining))
            throw new ModelFormatException(path, "too short for a llama2.c tokenizer (no max_token_length)");
        int maxTokenLength = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (maxTokenLength < 1 || maxTokenLength > MaxPieceLength)
            throw new ModelFormatException(path, $"max_token_length {maxTokenLength} is outside 1..{MaxPieceLength}: not a llama2.c tokenizer");

        var pieces = new string[vocabSize];
        var scores = new float[vocabSize];
        var bytes = new byte[maxTokenLength];
        for (int id = 0; id < vocabSize; id++)
        {
            if (remaining == 0)
                throw new ModelFormatException(path, $"holds {id} tokens, but the model's vocabulary has {vocabSize}");
            if (!TryRead(stream, header, ref remaining))
                throw new ModelFormatException(path, $"truncated in the header of token {id} of {vocabSize}");
            scores[id] = BinaryPrimitives.ReadSingleLittleEndian(header);
            int length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            if (length < 0 || length > maxTokenLength)
                throw new ModelFormatException(path, $"token {id} has length {length}, outside 0..max_token_length {maxTokenLength}");
            if (!TryRead(stream, bytes.AsSpan(0, length), ref remaining))
                throw new ModelFormatException(path, $"truncated in the piece of token {id} of {vocabSize}");
            pieces[id] = Encoding.Latin1.GetString(bytes, 0, length);
        }
        if (remaining != 0)
            throw new ModelFormatException(path,
                $"holds more tokens than the model's vocabulary of {vocabSize} ({remaining} bytes follow token {vocabSize - 1})");

        for (int b = 0; b < 256; b++)
        {
            int id = b + ByteTokenOffset;
            if (pieces[id] != ByteToken.Name((byte)b))
                throw new ModelFormatException(path, $"token {id} should be the byte token {ByteToken.Name((byte)b)}, but is \"{pieces[id]}\"");
        }
        return new Llama2cVocabulary(pieces, scores, maxTokenLength);
    }

    static bool TryRead(Stream stream, Span<byte> buffer, ref long remaining)
    {
        if (remaining < buffer.Length) return false;
        stream.ReadExactly(buffer);
        remaining -= buffer.Length;
        return true;
    }
}
