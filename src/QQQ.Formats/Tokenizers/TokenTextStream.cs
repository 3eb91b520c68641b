using System.Runtime.InteropServices;

namespace QQQ.Formats.Tokenizers;

/// <summary>
/// Turns generated token ids, one at a time, into the text to print. The pieces returned concatenate to
/// <see cref="ITextTokenizer.Decode"/> of all ids (context included, minus the context's own text). Text is held back
/// while it ends in an incomplete UTF-8 sequence, e.g. the first bytes of a character spelled as byte tokens.
/// </summary>
/// <remarks>
/// Each step decodes a short window: the ids from the start of the last printed piece on. The window's text without
/// and with the new ids differ by the new text, including any space the tokenizer strips at the start of a sequence.
/// </remarks>
public sealed class TokenTextStream
{
    const char Replacement = '\uFFFD';

    readonly ITextTokenizer _tokenizer;
    readonly List<int> _ids = [];
    /// <summary>Start of the window: the ids of the last printed piece.</summary>
    int _windowStart;
    /// <summary>Ids before this have been printed (or were context).</summary>
    int _printedEnd;

    /// <summary>
    /// Starts a stream. <paramref name="context"/> holds ids already shown (the prompt, or just BOS) so that the first
    /// new piece is spaced as it is after them; it is never returned as text. It should end on a whole character, as the
    /// ids of encoded text do.
    /// </summary>
    public TokenTextStream(ITextTokenizer tokenizer, ReadOnlySpan<int> context = default)
    {
        _tokenizer = tokenizer;
        _ids.AddRange(context);
        _printedEnd = context.Length;
        _windowStart = Math.Max(0, context.Length - 1);
    }

    /// <summary>Adds one id and returns the text it completes: possibly empty, possibly several characters.</summary>
    public string Push(int id)
    {
        _ids.Add(id);
        return Take(final: false);
    }

    /// <summary>Returns any text still held back (an incomplete UTF-8 sequence decodes to U+FFFD here).</summary>
    public string Flush() => Take(final: true);

    string Take(bool final)
    {
        var ids = CollectionsMarshal.AsSpan(_ids);
        string printed = _tokenizer.Decode(ids[_windowStart.._printedEnd]);
        string current = _tokenizer.Decode(ids[_windowStart..]);
        if (current.Length <= printed.Length || (!final && current[^1] == Replacement)) return "";
        _windowStart = _printedEnd;
        _printedEnd = ids.Length;
        return current[printed.Length..];
    }
}
