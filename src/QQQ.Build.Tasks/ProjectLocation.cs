using System.Text.RegularExpressions;

namespace QQQ.Build.Tasks;

/// <summary>
/// Where a QQQModel item is written in its project file, so that errors point at that line (an IDE jumps
/// to it). MSBuild does not hand tasks the location of an item, so this looks for the element whose
/// Include is the item's text; when that is ambiguous (wildcards, properties) the error names the file only.
/// </summary>
internal static class ProjectLocation
{
    static readonly Regex Element = new(@"<QQQModel\b[^>]*?\bInclude\s*=\s*(?:""(?<value>[^""]*)""|'(?<value>[^']*)')",
        RegexOptions.Singleline | RegexOptions.CultureInvariant);

    /// <returns>The 1-based line of the element, or 0 when it cannot be told.</returns>
    public static int FindLine(string projectText, string itemSpec)
    {
        var matches = Element.Matches(projectText).Cast<Match>().ToList();
        var exact = matches.Where(m => Normalize(m.Groups["value"].Value) == Normalize(itemSpec)).ToList();
        var chosen = exact.Count == 1 ? exact[0] : matches.Count == 1 && exact.Count == 0 ? matches[0] : null;
        return chosen is null ? 0 : LineOf(projectText, chosen.Index);
    }

    public static int FindLine(string? projectFile, string itemSpec, Func<string, string> readFile)
    {
        if (string.IsNullOrEmpty(projectFile)) return 0;
        try
        {
            return FindLine(readFile(projectFile), itemSpec);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    static string Normalize(string path) => path.Trim().Replace('\\', '/');

    static int LineOf(string text, int index)
    {
        int line = 1;
        for (int i = 0; i < index; i++)
            if (text[i] == '\n') line++;
        return line;
    }
}
