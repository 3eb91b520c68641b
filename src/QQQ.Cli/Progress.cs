using System.Diagnostics;

namespace QQQ.Cli;

/// <summary>
/// Progress of long work on stderr: rewritten in place on a terminal, a line every few seconds
/// otherwise (logs, CI, the MSBuild task).
/// </summary>
public sealed class Progress(string label, int total)
{
    readonly Stopwatch _clock = Stopwatch.StartNew();
    TimeSpan? _lastPrinted;
    readonly bool _interactive = !Console.IsErrorRedirected;

    public void Report(int done, string? detail = null)
    {
        var now = _clock.Elapsed;
        bool last = done >= total;
        var interval = _interactive ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(5);
        if (!last && _lastPrinted is { } previous && now - previous < interval) return;
        _lastPrinted = now;
        string line = $"{label} {done}/{total} ({now.TotalSeconds:F1} s){(detail == null ? "" : " " + detail)}";
        if (_interactive) Console.Error.Write("\r" + line + (last ? "\n" : ""));
        else Console.Error.WriteLine(line);
    }
}
