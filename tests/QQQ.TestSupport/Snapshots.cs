using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Xunit;

namespace QQQ.TestSupport;

/// <summary>
/// Snapshot assertions in the Verify style. The reviewed expectation of a snapshot named N lives in
/// <c>Snapshots/N.verified.txt</c> beside the calling test's source file. On a mismatch (or when that file is
/// missing) the actual text goes to <c>N.received.txt</c> next to it and the test fails with a diff.
/// Accepting is explicit: with <c>QQQ_ACCEPT_SNAPSHOTS=1</c>, and never when <c>CI=true</c>, the verified file is
/// overwritten and the test passes. Line endings are normalized to '\n'.
/// </summary>
public static class Snapshots
{
    /// <summary>Set to 1 to accept the actual text as the new verified snapshot.</summary>
    public const string AcceptVariable = "QQQ_ACCEPT_SNAPSHOTS";

    private const int DiffContextLines = 3;

    /// <summary>Compares <paramref name="actual"/> with the verified snapshot <paramref name="name"/>.</summary>
    public static void Verify(string actual, string name, [CallerFilePath] string path = "")
    {
        if (name.Length == 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new ArgumentException($"'{name}' cannot name a snapshot file", nameof(name));
        var directory = Path.GetDirectoryName(path);
        if (string.IsNullOrEmpty(directory) || !Directory.Exists(directory))
            throw new DirectoryNotFoundException(
                $"the calling test's source folder '{directory}' does not exist here; snapshot tests run from a checkout of the sources");
        VerifyFile(actual, Path.Combine(directory, "Snapshots", name + ".verified.txt"), AcceptRequested());
    }

    /// <summary>True when <c>QQQ_ACCEPT_SNAPSHOTS=1</c> and not running under CI.</summary>
    public static bool AcceptRequested() =>
        Environment.GetEnvironmentVariable(AcceptVariable) == "1" &&
        !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Compares <paramref name="actual"/> with the file at <paramref name="verifiedPath"/> (ending in
    /// <c>.verified.txt</c>); <paramref name="accept"/> overwrites it instead of failing.
    /// </summary>
    public static void VerifyFile(string actual, string verifiedPath, bool accept)
    {
        const string verifiedSuffix = ".verified.txt";
        if (!verifiedPath.EndsWith(verifiedSuffix, StringComparison.Ordinal))
            throw new ArgumentException($"'{verifiedPath}' does not end in {verifiedSuffix}", nameof(verifiedPath));
        var receivedPath = verifiedPath[..^verifiedSuffix.Length] + ".received.txt";
        var received = Normalize(actual);
        var verified = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;

        if (verified != received && accept)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(verifiedPath)!);
            File.WriteAllText(verifiedPath, received);
            verified = received;
        }
        if (verified == received)
        {
            File.Delete(receivedPath);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(receivedPath)!);
        File.WriteAllText(receivedPath, received);
        var howToAccept = $"Review {receivedPath}; if it is right, rename it to {Path.GetFileName(verifiedPath)} " +
                          $"or rerun with {AcceptVariable}=1.";
        Assert.Fail(verified is null
            ? $"No verified snapshot {verifiedPath} yet. {howToAccept}"
            : $"The text differs from the verified snapshot {verifiedPath}. {howToAccept}\n{Diff(verified, received)}");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n');

    /// <summary>A unified-style diff: changed lines with a few lines of context, hunks headed by their line numbers.</summary>
    private static string Diff(string verified, string received)
    {
        var lines = InlineDiffBuilder.Diff(verified, received, ignoreWhiteSpace: false).Lines;
        var near = new bool[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Type == ChangeType.Unchanged) continue;
            for (var j = Math.Max(0, i - DiffContextLines); j <= Math.Min(lines.Count - 1, i + DiffContextLines); j++) near[j] = true;
        }

        var diff = new StringBuilder("--- verified\n+++ received\n");
        int verifiedLine = 1, receivedLine = 1;
        for (var i = 0; i < lines.Count; i++)
        {
            if (near[i] && (i == 0 || !near[i - 1])) diff.Append($"@@ -{verifiedLine} +{receivedLine} @@\n");
            var (prefix, inVerified, inReceived) = lines[i].Type switch
            {
                ChangeType.Deleted => ('-', true, false),
                ChangeType.Inserted => ('+', false, true),
                _ => (' ', true, true),
            };
            if (near[i]) diff.Append(prefix).Append(lines[i].Text).Append('\n');
            if (inVerified) verifiedLine++;
            if (inReceived) receivedLine++;
        }
        return diff.ToString();
    }
}
