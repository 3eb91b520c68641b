namespace QQQ.Formats;

/// <summary>
/// A model, tokenizer, text or artifact file is malformed or inconsistent. The message names the file
/// and the problem in one line, so a command-line tool can print it as is.
/// </summary>
public sealed class ModelFormatException : Exception
{
    public ModelFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file that is wrong.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the path.</summary>
    public string Problem { get; }
}
