using System.Text.Json;

namespace QQQ.Build.Tests.Infrastructure;

/// <summary>
/// What an IDE's design-time build does, closely enough for QQQ.Build: Compile with DesignTimeBuild=true,
/// without building references or running the compiler. MSBuild reports the QQQQuantize target's result
/// and the AdditionalFiles the compiler (and so the generator) would get.
/// </summary>
internal static class DesignTimeBuild
{
    public sealed record Result(string QuantizeResult, IReadOnlyList<string> AdditionalFiles);

    public static Result Run(TestProject project)
    {
        var run = Dotnet.Run(project.Directory,
            ["msbuild", project.ProjectFile, "-t:Compile", "-nodeReuse:false", "-p:Configuration=" + Dotnet.Configuration,
             "-p:DesignTimeBuild=true", "-p:BuildProjectReferences=false", "-p:SkipCompilerExecution=true", "-p:ProvideCommandLineArgs=true",
             "-getTargetResult:QQQQuantize", "-getItem:AdditionalFiles"],
            TimeSpan.FromMinutes(5));
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.Output[run.Output.IndexOf('{')..]);
        var quantize = json.RootElement.GetProperty("TargetResults").GetProperty("QQQQuantize").GetProperty("Result").GetString()!;
        var files = json.RootElement.GetProperty("Items").GetProperty("AdditionalFiles").EnumerateArray()
            .Select(item => item.GetProperty("FullPath").GetString()!).ToList();
        return new Result(quantize, files);
    }
}
