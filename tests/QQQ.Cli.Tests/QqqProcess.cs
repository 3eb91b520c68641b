using System.Diagnostics;

namespace QQQ.Cli.Tests;

/// <summary>Runs the built <c>qqq</c> command as a user would: a child process, real exit code, stdout and stderr.</summary>
public static class QqqProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(params string[] args) => Run(TimeSpan.FromMinutes(10), args);

    public static Result Run(TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = QQQ.TestSupport.SharedData.RepoRoot,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "qqq.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["QQQ_DEVICE"] = "cpu";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"qqq {string.Join(' ', args)} did not finish within {timeout}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The paths of the shared models and texts, relative to the repository root as the README writes them.</summary>
    public static string Shared(params string[] parts) => Path.Combine(["..", "shared", .. parts]);
}
