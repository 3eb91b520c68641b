using QQQ.TestSupport;
using Xunit.Sdk;

namespace QQQ.Generators.Tests;

/// <summary>The shared snapshot helper (QQQ.TestSupport.Snapshots), on files in a temporary folder.</summary>
public sealed class SnapshotsHelperTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("qqq-snapshots-").FullName;

    private string Verified => Path.Combine(_directory, "Snapshots", "Example.verified.txt");

    private string Received => Path.Combine(_directory, "Snapshots", "Example.received.txt");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void MissingVerifiedFile_FailsAndWritesReceived()
    {
        var error = Assert.Throws<FailException>(() => Snapshots.VerifyFile("text\n", Verified, accept: false));

        Assert.Contains("No verified snapshot", error.Message, StringComparison.Ordinal);
        Assert.Equal("text\n", File.ReadAllText(Received));
        Assert.False(File.Exists(Verified));
    }

    [Fact]
    public void Mismatch_FailsWithADiffAndWritesReceived()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Verified)!);
        File.WriteAllText(Verified, string.Join("\n", Enumerable.Range(1, 20).Select(i => $"line {i}")) + "\n");
        var actual = File.ReadAllText(Verified).Replace("line 10\n", "line ten\n", StringComparison.Ordinal);

        var error = Assert.Throws<FailException>(() => Snapshots.VerifyFile(actual, Verified, accept: false));

        Assert.Contains("@@ -7 +7 @@\n line 7\n line 8\n line 9\n-line 10\n+line ten\n line 11\n line 12\n line 13\n", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("line 6\n", error.Message, StringComparison.Ordinal);
        Assert.Equal(actual, File.ReadAllText(Received));
    }

    [Fact]
    public void Match_IgnoresLineEndings_AndRemovesAStaleReceivedFile()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Verified)!);
        File.WriteAllText(Verified, "a\r\nb\r\n");
        File.WriteAllText(Received, "stale");

        Snapshots.VerifyFile("a\nb\n", Verified, accept: false);

        Assert.False(File.Exists(Received));
    }

    [Fact]
    public void Accept_OverwritesTheVerifiedFile()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Verified)!);
        File.WriteAllText(Verified, "old\n");

        Snapshots.VerifyFile("new\r\n", Verified, accept: true);

        Assert.Equal("new\n", File.ReadAllText(Verified));
        Assert.False(File.Exists(Received));
    }
}
