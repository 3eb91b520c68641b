namespace QQQ.Build.Tests.Infrastructure;

/// <summary>Live processes by command line (Linux /proc), to check that nothing of a killed build survives.</summary>
internal static class Processes
{
    public static IReadOnlyList<int> WithArgumentContaining(string text)
    {
        var found = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out int pid)) continue;
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(text, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }
        return found;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for every process whose command line contains <paramref name="text"/> to end.</summary>
    public static IReadOnlyList<int> AfterWaiting(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = WithArgumentContaining(text);
            if (left.Count == 0 || DateTime.UtcNow > deadline) return left;
            Thread.Sleep(200);
        }
    }
}
