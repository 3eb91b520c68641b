using System.Text;

namespace QQQ.Build.Tasks;

/// <summary>
/// Builds a metadata value that MSBuild splits back into the given strings when a target expands it
/// (Inputs="%(X.Inputs)", Lines="%(X.StampLines)"): each part escaped, parts joined by ';'.
/// </summary>
internal static class MetadataList
{
    public static string Join(IEnumerable<string> parts) => string.Join(";", parts.Select(Escape));

    /// <summary>MSBuild's escaping: the characters it treats specially become %XX.</summary>
    public static string Escape(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            if (c is '%' or ';' or '$' or '@' or '\'' or '(' or ')' or '*' or '?')
                text.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            else
                text.Append(c);
        }
        return text.ToString();
    }
}
