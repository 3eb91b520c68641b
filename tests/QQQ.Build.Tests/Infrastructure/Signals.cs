using System.Runtime.InteropServices;

namespace QQQ.Build.Tests.Infrastructure;

/// <summary>Ctrl+C for a child process: SIGINT to it alone, as a terminal sends to its foreground job.</summary>
internal static class Signals
{
    const int SigInt = 2;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);

    public static void Interrupt(int pid)
    {
        if (Kill(pid, SigInt) != 0) throw new InvalidOperationException($"kill({pid}, SIGINT) failed: errno {Marshal.GetLastPInvokeError()}");
    }
}
