namespace QQQ.Cli.Tests.Support;

/// <summary>How every bad input must end: the expected exit code and exactly one "qqq:" line naming the problem, no stack trace.</summary>
public static class CleanFailure
{
    public static void AssertOneLine(QqqProcess.Result result, int exitCode, string expectedFragment)
    {
        Assert.True(result.ExitCode == exitCode, $"exit code {result.ExitCode}, expected {exitCode}; stderr:\n{result.Stderr}");
        var errors = result.Stderr.Split('\n').Where(l => l.StartsWith("qqq:", StringComparison.Ordinal)).ToList();
        var error = Assert.Single(errors);
        Assert.Contains(expectedFragment, error);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.DoesNotContain("Exception", result.Stderr);
    }
}
