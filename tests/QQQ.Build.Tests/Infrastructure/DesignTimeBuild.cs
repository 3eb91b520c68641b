using System.Text.Json;

namespace QQQ.Build.Tests.Infrastructure;

/// <summary>
/// The design-time build an IDE runs to set up IntelliSense, with the global properties and targets of
/// Roslyn's project loader (ProjectBuildManager in dotnet/roslyn, behind C# Dev Kit; Visual Studio's are alike):
/// Compile and CoreCompile with DesignTimeBuild=true, no referenced project built, the compiler not run but its
/// command line returned (ProvideCommandLineArgs), and CoreCompile forced to run even when up to date
/// (NonExistentFile is an input that never exists). The IDE compiles in process from that command line: its
/// /analyzer, /additionalfile and /analyzerconfig options are what the generator gets there.
/// </summary>
internal static class DesignTimeBuild
{
    public sealed record Result(
        Dotnet.Result Run,
        string QuantizeResult,
        IReadOnlyList<string> CompilerArguments,
        string CompilerPath);

    public static Result Run(TestProject project, IReadOnlyDictionary<string, string>? environment = null)
    {
        var run = Dotnet.Run(project.Directory,
            ["msbuild", project.ProjectFile, "-t:Compile;CoreCompile", "-nodeReuse:false", "-p:Configuration=" + Dotnet.Configuration,
             "-p:DesignTimeBuild=true", @"-p:NonExistentFile=__NonExistentSubDir__\__NonExistentFile__",
             "-p:BuildProjectReferences=false", "-p:BuildingProject=false", "-p:ProvideCommandLineArgs=true", "-p:SkipCompilerExecution=true",
             "-p:ContinueOnError=ErrorAndContinue", "-p:ShouldUnsetParentConfigurationAndPlatform=false",
             "-getTargetResult:QQQQuantize", "-getItem:CscCommandLineArgs", "-getProperty:RoslynTargetsPath"],
            TimeSpan.FromMinutes(5), environment);
        Assert.True(run.ExitCode == 0, run.ToString());
        // MSBuild writes the JSON when the build ends, after any warning.
        using var json = JsonDocument.Parse(run.Output[run.Output.IndexOf('{')..]);
        var root = json.RootElement;
        return new Result(
            run,
            root.GetProperty("TargetResults").GetProperty("QQQQuantize").GetProperty("Result").GetString()!,
            root.GetProperty("Items").GetProperty("CscCommandLineArgs").EnumerateArray().Select(item => item.GetProperty("Identity").GetString()!).ToList(),
            // The compiler the SDK's Csc task runs: it lies beside the Roslyn targets.
            Path.Combine(root.GetProperty("Properties").GetProperty("RoslynTargetsPath").GetString()!, "bincore", "csc.dll"));
    }
}
