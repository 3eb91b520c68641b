namespace QQQ.Formats;

/// <summary>
/// Quotes untrusted text (tensor names, config values) for error messages, which must stay one
/// readable line whatever the file contains.
/// </summary>
internal static class MessageText
{
    const int MaxLength = 80;

    /// <summary>The text in single quotes, control characters escaped, cut to a readable length.</summary>
    public static string Quote(string text)
    {
        var shown = text.Length > MaxLength ? text[..MaxLength] + "..." : text;
        var builder = new System.Text.StringBuilder(shown.Length + 2).Append('\'');
        foreach (char c in shown)
        {
            if (char.IsControl(c) || char.IsSurrogate(c)) builder.Append($"\\u{(int)c:x4}");
            else builder.Append(c);
        }
        return builder.Append('\'').ToString();
    }

    /// <summary>A shape as "[rows, cols]"; absurdly many dimensions are cut short.</summary>
    public static string Shape(IReadOnlyList<int> shape) =>
        shape.Count > 8 ? $"[{string.Join(", ", shape.Take(8))}, ... ({shape.Count} dimensions)]" : $"[{string.Join(", ", shape)}]";

    /// <summary>Up to <paramref name="limit"/> items joined by <paramref name="separator"/>, then "(and N more)".</summary>
    public static string List(IReadOnlyCollection<string> items, int limit = 5, string separator = ", ")
    {
        var shown = string.Join(separator, items.Take(limit));
        return items.Count > limit ? $"{shown} (and {items.Count - limit} more)" : shown;
    }
}
