using QQQ.Cli.Tests.Support;
using QQQ.TestSupport;

namespace QQQ.Cli.Tests;

/// <summary><c>qqq quantize</c> as a process: deterministic output, and nothing half-written when it is stopped.</summary>
public class QuantizeCommandTests
{
    static string[] Stories260K(string output, params string[] extra) =>
    [
        "quantize", "--model", QqqProcess.Shared("models", "stories260K-hf"),
        "--calibration", QqqProcess.Shared("data", "text", "tinystories-head.txt"), "--out", output, .. extra,
    ];

    [Fact]
    public void TwoRunsGiveByteIdenticalArtifacts()
    {
        using var first = new TempFolder();
        using var second = new TempFolder();
        foreach (var folder in new[] { first, second })
        {
            var result = QqqProcess.Run(Stories260K(folder.File("stories.qqq"), "--samples", "8", "--seq-len", "128"));
            Assert.True(result.ExitCode == 0, result.Stderr);
        }
        Assert.Equal(File.ReadAllBytes(first.File("stories.qqq")), File.ReadAllBytes(second.File("stories.qqq")));
        Assert.Equal(File.ReadAllBytes(first.File("stories.qqq.json")), File.ReadAllBytes(second.File("stories.qqq.json")));
    }

    /// <summary>Settings that keep every layer busy for seconds, so a signal after layer 1 lands mid-run.</summary>
    static QqqChild StartAndWaitForFirstLayer(string output)
    {
        // Default calibration (128 windows): each later layer takes seconds, so the signal sent after layer 1 always
        // lands mid-run. With 16 windows an idle machine finished all five layers before SIGINT was handled (exit 0).
        var child = QqqChild.Start(Stories260K(output));
        Assert.True(child.WaitForLine(l => l.StartsWith("layer 1/", StringComparison.Ordinal), TimeSpan.FromMinutes(10)), child.Stderr);
        return child;
    }

    [Fact]
    public void CtrlCMidRunExits130AndLeavesNoFile()
    {
        using var folder = new TempFolder();
        using var child = StartAndWaitForFirstLayer(folder.File("stories.qqq"));
        child.Signal(QqqChild.SigInt);
        Assert.Equal(130, child.WaitForExit(TimeSpan.FromMinutes(10)));
        Assert.Contains("cancelled", child.Stderr);
        Assert.DoesNotContain("   at ", child.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public void KillMidRunLeavesNoArtifact()
    {
        using var folder = new TempFolder();
        using var child = StartAndWaitForFirstLayer(folder.File("stories.qqq"));
        child.Signal(QqqChild.SigKill);
        child.WaitForExit(TimeSpan.FromMinutes(1));
        Assert.False(File.Exists(folder.File("stories.qqq")));
        Assert.False(File.Exists(folder.File("stories.qqq.json")));
        // A killed write can only leave a hidden temporary file, never one with the artifact's name or extension.
        Assert.All(Directory.EnumerateFiles(folder.Path), f =>
            Assert.Matches(@"^\.stories\.qqq(\.json)?\.[0-9a-f]{32}\.tmp$", Path.GetFileName(f)));
    }
}
