namespace QQQ.Formats;

/// <summary>Text to token ids and back, with the model's special tokens.</summary>
public interface ITextTokenizer
{
    int VocabSize { get; }
    int BosTokenId { get; }
    int EosTokenId { get; }

    /// <summary>Encodes text the way the model's own tokenizer does; prepends BOS when asked.</summary>
    int[] Encode(string text, bool addBos);

    /// <summary>Decodes ids to text (special tokens are dropped, byte tokens joined into UTF-8).</summary>
    string Decode(ReadOnlySpan<int> ids);
}
