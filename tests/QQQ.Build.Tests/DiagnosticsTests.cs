using QQQ.Build.Tests.Infrastructure;

namespace QQQ.Build.Tests;

/// <summary>
/// The scan the integration tests rely on to prove the generator loaded, on lines as MSBuild printed them
/// here: the CS9057 lines come from a generator built against Microsoft.CodeAnalysis 5.12.0 under SDK
/// 10.0.401, whose compiler is 5.9.0 (promoted to errors by TreatWarningsAsErrors).
/// </summary>
public sealed class DiagnosticsTests
{
    static Dotnet.Result Output(params string[] lines) => new(1, string.Join('\n', lines), TimeSpan.Zero);

    const string NewerRoslyn = "CSC : error CS9057: Analyzer assembly '/tmp/gen/bin/Release/netstandard2.0/Gen.dll' cannot be used because it references version '5.12.0.0' of the compiler, which is newer than the currently running version '5.9.0.0'. [/tmp/app/App.csproj]";
    const string GeneratorThrew = "CSC : warning CS8785: Generator 'ModelGenerator' failed to generate source. It will not contribute to the output and compilation errors may occur as a result. [/tmp/app/App.csproj]";
    const string GeneratorWarning = "/tmp/app/obj/Release/net10.0/qqq/model.qqq.json(1,1): warning QQQ103: the class name was sanitized [/tmp/app/App.csproj]";
    const string TaskError = "/tmp/app/App.csproj(17): error QQQ001: QQQModel 'missing.bin': the model was not found at /tmp/app/missing.bin";

    [Fact]
    public void FromGeneratorFindsTheLoadFailuresAndTheGeneratorsOwnDiagnosticsOnce()
    {
        var build = Output(
            "     1>" + NewerRoslyn,
            "         " + NewerRoslyn, // MSBuild's summary repeats it
            GeneratorThrew,
            GeneratorWarning,
            TaskError,
            "         /usr/share/dotnet/sdk/10.0.401/Roslyn/bincore/csc /noconfig /nowarn:1701,1702,8002 /warnaserror+ Program.cs",
            "qqq: error: model.bin: the file is truncated");

        Assert.Equal([NewerRoslyn, GeneratorThrew, GeneratorWarning], Diagnostics.FromGenerator(build));
        Assert.Equal([NewerRoslyn, GeneratorThrew, GeneratorWarning, TaskError], Diagnostics.All(build));
        Assert.Equal([TaskError], Diagnostics.Errors(build, "QQQ001"));
    }
}
