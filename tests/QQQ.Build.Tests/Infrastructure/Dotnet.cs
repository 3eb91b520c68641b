using System.Diagnostics;
using System.Text;

namespace QQQ.Build.Tests.Infrastructure;

/// <summary>
/// Runs the dotnet CLI as a user would, in a child process: no build servers and no reused nodes (a node
/// that outlives a test could hold an old task assembly or keep a killed build's files open), plain
/// console output (the terminal logger would hide high-importance messages), output kept for asserts.
/// </summary>
internal static class Dotnet
{
    public sealed record Result(int ExitCode, string Output, TimeSpan Elapsed)
    {
        public string[] Lines => Output.Split('\n').Select(line => line.TrimEnd('\r')).ToArray();

        public override string ToString() => $"exit code {ExitCode} after {Elapsed.TotalSeconds:F0} s\n{Output}";
    }

    /// <summary>The configuration these tests were built in: child builds use it too, so the repository's projects are already built.</summary>
    public const string Configuration =
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    public static string Host =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>`dotnet build`-like commands get the options that keep a build self-contained and its log complete.</summary>
    public static string[] BuildOptions => ["-nodeReuse:false", "--disable-build-servers", "-tl:off", "-v:n", "-c", Configuration];

    /// <summary>Stops the command when a line of its output matches <paramref name="When"/>: Ctrl+C, or a kill of its whole process tree.</summary>
    public sealed record Interruption(Func<string, bool> When, bool ControlC);

    public static Result Run(string workingDirectory, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null, Interruption? interrupt = null)
    {
        var start = new ProcessStartInfo(Host)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Its own, empty stdin: a build and its nodes must not share the test host's.
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Prepare(start.Environment, environment);

        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        bool interrupted = false;
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
            if (interrupt is null || interrupted || !interrupt.When(line)) return;
            interrupted = true;
            try
            {
                if (interrupt.ControlC) Signals.Interrupt(process.Id);
                else process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // It ended by itself first; the test sees that in the exit code and output.
            }
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(30));
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {timeout}:\n{output}");
        }
        // Only the parameterless WaitForExit waits for the last output events; bounded, in case a killed
        // build left a grandchild holding the pipe open.
        if (!Task.Run(process.WaitForExit).Wait(TimeSpan.FromSeconds(30)))
            throw new TimeoutException($"the output of dotnet {string.Join(' ', arguments)} did not end after the process exited:\n{output}");
        lock (output) return new Result(process.ExitCode, output.ToString(), clock.Elapsed);
    }

    static void Prepare(IDictionary<string, string?> variables, IReadOnlyDictionary<string, string>? extra)
    {
        // Set by the `dotnet test` that runs these tests; a child build must find its own SDK and nodes.
        foreach (var name in new[] { "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
            variables.Remove(name);
        variables["MSBUILDNOINPROCNODE"] = "1";
        variables["MSBUILDDISABLENODEREUSE"] = "1";
        variables["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        variables["DOTNET_NOLOGO"] = "1";
        variables["QQQ_DEVICE"] = "cpu";
        foreach (var (name, value) in extra ?? new Dictionary<string, string>()) variables[name] = value;
    }
}
