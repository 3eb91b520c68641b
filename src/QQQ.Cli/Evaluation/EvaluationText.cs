using System.Text;
using QQQ.Formats;

namespace QQQ.Cli.Evaluation;

/// <summary>
/// Reads evaluation and calibration text the way the references do: UTF-8, CRLF -> LF. A file with CRLF
/// line ends is a row export (as WikiText-2 is distributed: one row per line), so the line end after its
/// last row terminates the row and is not part of the text; a plain LF text file is taken as it is.
/// </summary>
public static class EvaluationText
{
    public static string Read(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException(path, "text file not found");
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(File.ReadAllBytes(path));
        }
        catch (DecoderFallbackException)
        {
            throw new ModelFormatException(path, "text is not valid UTF-8");
        }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        if (text.EndsWith("\r\n", StringComparison.Ordinal)) text = text[..^2];
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (text.Trim().Length == 0) throw new ModelFormatException(path, "text is empty");
        return text;
    }
}
