namespace QQQ.TestSupport;

/// <summary>Locates the repository and the read-only <c>../shared</c> folder beside it.</summary>
public static class SharedData
{
    static readonly Lazy<string> RepoRootPath = new(FindRepoRoot);

    /// <summary>The folder that holds QQQ.sln.</summary>
    public static string RepoRoot => RepoRootPath.Value;

    /// <summary>The shared folder: <c>$QQQ_SHARED</c> if set, else <c>../shared</c> next to the repository.</summary>
    public static string Root =>
        Environment.GetEnvironmentVariable("QQQ_SHARED") is { Length: > 0 } custom
            ? custom
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>Path of a file under shared/, failing the test with a clear message if it is missing.</summary>
    public static string File(params string[] relative)
    {
        var path = Path.Combine([Root, .. relative]);
        if (!System.IO.File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"shared test data not found: {path} (the repository expects ../shared beside it)");
        return path;
    }

    public static string Stories260KBin => File("models", "stories260K", "stories260K.bin");
    public static string Stories260KTokenizer => File("models", "stories260K", "tok512.bin");
    public static string Stories260KHf => File("models", "stories260K-hf");
    public static string LlamaSotu => File("models", "llama-sotu-26m");
    public static string Text(string name) => File("data", "text", name);

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "QQQ.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("QQQ.sln not found above " + AppContext.BaseDirectory);
    }
}
