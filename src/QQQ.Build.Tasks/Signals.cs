using System.Diagnostics;
using System.Runtime.InteropServices;

namespace QQQ.Build.Tasks;

/// <summary>Asks a process to stop the way a terminal would, so it can clean up (Process.Kill cannot be caught).</summary>
internal static class Signals
{
    const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);

    /// <returns>Whether the signal was sent (never on Windows).</returns>
    public static bool TryTerminate(Process process)
    {
        if (OperatingSystem.IsWindows()) return false;
        try
        {
            return !process.HasExited && Kill(process.Id, SigTerm) == 0;
        }
        catch (Exception e) when (e is InvalidOperationException or DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
