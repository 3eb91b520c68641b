using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace QQQ.Cli.Tests.Support;

/// <summary>
/// A running <c>qqq</c> child process whose stderr is watched line by line, so a test can act at a chosen moment
/// (e.g. after the first layer is quantized) and send it a POSIX signal the way a terminal or a build system would.
/// </summary>
public sealed partial class QqqChild : IDisposable
{
    public const int SigInt = 2, SigKill = 9;

    readonly Process process;
    readonly BlockingCollection<string> lines = new();
    readonly ConcurrentQueue<string> all = new();

    QqqChild(Process process)
    {
        this.process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            all.Enqueue(e.Data);
            lines.Add(e.Data);
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    public static QqqChild Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = QQQ.TestSupport.SharedData.RepoRoot,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "qqq.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return new QqqChild(Process.Start(start)!);
    }

    /// <summary>Everything written to stderr so far.</summary>
    public string Stderr => string.Join("\n", all);

    /// <summary>Waits until a stderr line satisfies <paramref name="match"/>; false if the process ends or time runs out first.</summary>
    public bool WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (lines.TryTake(out var line, TimeSpan.FromMilliseconds(200)))
            {
                if (match(line)) return true;
            }
            else if (process.HasExited) return false;
        }
        return false;
    }

    public void Signal(int signal)
    {
        if (kill(process.Id, signal) != 0) throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("qqq did not exit in time");
        }
        process.WaitForExit();   // drains the redirected streams
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.Dispose();
        lines.Dispose();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
