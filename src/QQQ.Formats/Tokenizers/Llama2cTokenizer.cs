using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace QQQ.Formats.Tokenizers;

/// <summary>
/// The tokenizer of karpathy/llama2.c (<c>tokenizer.bin</c>, <c>tok512.bin</c>), encoding and decoding exactly as its
/// <c>run.c</c> does: a dummy-prefix space token, one token per UTF-8 character with byte fallback (id = byte + 3),
/// then greedy best-score pair merges. BOS is 1 and EOS is 2.
/// </summary>
public sealed class Llama2cTokenizer : ITextTokenizer
{
    const int UnknownId = 0;

    readonly Llama2cVocabulary _vocabulary;
    readonly int _dummyPrefixId;

    Llama2cTokenizer(Llama2cVocabulary vocabulary)
    {
        _vocabulary = vocabulary;
        // llama2.c assumes the vocabulary holds " "; where it does not, the space's byte token stands in.
        _dummyPrefixId = vocabulary.TryFind(" ", out int id) ? id : ' ' + Llama2cVocabulary.ByteTokenOffset;
    }

    /// <summary>
    /// Reads a llama2.c tokenizer file. The file does not store its vocabulary size, so the model's is required; a file
    /// holding a different number of tokens, truncated, or with impossible lengths throws <see cref="ModelFormatException"/>.
    /// </summary>
    public static Llama2cTokenizer Load(string path, int modelVocabSize) =>
        new(Llama2cVocabulary.Read(path, modelVocabSize));

    /// <summary>As <see cref="Load(string, int)"/> from the file's bytes; <paramref name="name"/> names it in errors.</summary>
    public static Llama2cTokenizer Load(byte[] content, string name, int modelVocabSize) =>
        new(Llama2cVocabulary.Read(new MemoryStream(content, writable: false), name, modelVocabSize));

    /// <summary>Number of tokens: the model's vocabulary size, which the file was checked to hold.</summary>
    public int VocabSize => _vocabulary.Count;

    /// <summary>Begin-of-sequence id (1 in llama2.c).</summary>
    public int BosTokenId => Llama2cVocabulary.BosId;

    /// <summary>End-of-sequence id (2 in llama2.c); never added by <see cref="Encode"/>.</summary>
    public int EosTokenId => Llama2cVocabulary.EosId;

    /// <summary>
    /// llama2.c's <c>encode</c>: optional BOS, the " " token when the text is non-empty, every UTF-8 character as its
    /// token or else as byte tokens, then merges. EOS is never added. Unlike C strings, a NUL char is encoded (as a byte
    /// token) rather than ending the text.
    /// </summary>
    public int[] Encode(string text, bool addBos)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<int>(text.Length + 2);
        if (addBos) tokens.Add(Llama2cVocabulary.BosId);
        if (text.Length > 0) tokens.Add(_dummyPrefixId);

        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        Span<char> character = stackalloc char[4];
        for (int start = 0; start < utf8.Length;)
        {
            // A character: one byte and the continuation bytes (10xxxxxx) after it, at most 4 bytes in all.
            int length = 1;
            while (length < 4 && start + length < utf8.Length && (utf8[start + length] & 0xC0) == 0x80) length++;
            for (int k = 0; k < length; k++) character[k] = (char)utf8[start + k];
            if (_vocabulary.TryFind(character[..length], out int id))
                tokens.Add(id);
            else
                for (int k = 0; k < length; k++) tokens.Add(utf8[start + k] + Llama2cVocabulary.ByteTokenOffset);
            start += length;
        }
        return PairMerger.Merge(CollectionsMarshal.AsSpan(tokens), new Merges(_vocabulary));
    }

    /// <summary>
    /// llama2.c's <c>decode</c> over a sequence: a piece right after BOS loses its leading space, <c>&lt;0xXX&gt;</c>
    /// pieces are raw bytes, and the bytes of all pieces are decoded together as UTF-8. The special tokens
    /// (unknown 0, BOS 1, EOS 2) produce no text.
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var bytes = new ArrayBufferWriter<byte>(ids.Length * 4 + 16);
        int previous = -1;
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_vocabulary.Count)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"token id outside the vocabulary of {_vocabulary.Count}");
            if (id is UnknownId or Llama2cVocabulary.BosId or Llama2cVocabulary.EosId)
            {
                previous = id;
                continue;
            }
            ReadOnlySpan<char> piece = _vocabulary.Piece(id);
            if (previous == Llama2cVocabulary.BosId && piece.StartsWith(' ')) piece = piece[1..];
            if (ByteToken.TryParse(piece, out byte value))
            {
                bytes.GetSpan(1)[0] = value;
                bytes.Advance(1);
            }
            else
            {
                bytes.Advance(Encoding.Latin1.GetBytes(piece, bytes.GetSpan(piece.Length)));
            }
            previous = id;
        }
        return Encoding.UTF8.GetString(bytes.WrittenSpan);
    }

    /// <summary>llama2.c's merge rule: two tokens merge into the token whose piece is their pieces concatenated.</summary>
    sealed class Merges(Llama2cVocabulary vocabulary) : IPairMerges<int>
    {
        /// <summary>llama2.c starts its search from this score: a pair must score strictly higher to merge.</summary>
        const float NoScore = -1e10f;

        readonly char[] _concatenation = new char[2 * vocabulary.MaxTokenLength];

        public bool TryMerge(int left, int right, out int merged, out float score)
        {
            string a = vocabulary.Piece(left), b = vocabulary.Piece(right);
            a.CopyTo(_concatenation);
            b.CopyTo(_concatenation.AsSpan(a.Length));
            score = vocabulary.TryFind(_concatenation.AsSpan(0, a.Length + b.Length), out merged) ? vocabulary.Score(merged) : float.NaN;
            return score > NoScore;
        }
    }
}
