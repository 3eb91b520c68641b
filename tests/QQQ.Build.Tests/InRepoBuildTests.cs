using QQQ.Build.Tests.Infrastructure;
using QQQ.TestSupport;

namespace QQQ.Build.Tests;

/// <summary>
/// Real `dotnet build`s of a temporary app that uses QQQ.Build through this repository's projects
/// (build/QQQ.InRepo.props). stories260K with small calibration settings keeps each quantization to seconds.
/// </summary>
[Collection(IntegrationCollection.Name)]
[Trait("Category", "Integration")]
public sealed class InRepoBuildTests
{
    const string Stories = "stories260K";

    static string StoriesModel(string model = "", string calibration = "", string extra = "") =>
        $"""Include="{(model.Length > 0 ? model : Models.Stories260K)}" Tokenizer="{Models.Stories260KTokenizer}" CalibrationText="{(calibration.Length > 0 ? calibration : Models.CalibrationText)}" {Models.FastCalibration} {extra}""";

    static void Succeeded(Dotnet.Result result) => Assert.True(result.ExitCode == 0, result.ToString());

    [Fact]
    public void FirstBuildQuantizesIntoObjCopiesToBinAndTheAppPrintsTheReferenceStory()
    {
        using var project = TestProject.InRepo(StoriesModel());

        var build = project.Build();

        // The compiler loaded the generator and it ran cleanly (the app's own code uses the class it generates).
        Assert.Empty(Diagnostics.FromGenerator(build));
        Succeeded(build);
        Assert.True(TestProject.Quantized(build), build.ToString());
        // The quantizer's per-layer progress reaches the build log.
        Assert.Contains(build.Lines, line => line.Contains("layer 5/5 quantized", StringComparison.Ordinal));
        Assert.True(File.Exists(project.Artifact(Stories)));
        Assert.True(File.Exists(project.Manifest(Stories)));
        Assert.Equal(File.ReadAllBytes(project.Artifact(Stories)), File.ReadAllBytes(project.CopiedArtifact(Stories)));

        var run = project.RunApp(ReferenceText.OpeningTokens);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith(ReferenceText.Opening, ReferenceText.Stories260K(), StringComparison.Ordinal);
        Assert.StartsWith(ReferenceText.Opening, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void SecondBuildDoesNotRunTheQuantizerAndPublishCopiesTheArtifact()
    {
        using var project = TestProject.InRepo(StoriesModel());
        Succeeded(project.Build());
        var written = File.GetLastWriteTimeUtc(project.Artifact(Stories));

        var again = project.Build();

        Succeeded(again);
        Assert.True(TestProject.SkippedQuantization(again), again.ToString());
        Assert.False(TestProject.Quantized(again), again.ToString());
        Assert.Equal(written, File.GetLastWriteTimeUtc(project.Artifact(Stories)));
        // IncrementalClean must not take the skipped target's outputs for orphans.
        Assert.True(File.Exists(project.CopiedArtifact(Stories)));

        var publishFolder = Path.Combine(project.Directory, "published");
        var publish = project.Run("publish", TimeSpan.FromMinutes(10), ["-o", publishFolder]);
        Succeeded(publish);
        Assert.False(TestProject.Quantized(publish), publish.ToString());
        Assert.Equal(File.ReadAllBytes(project.Artifact(Stories)), File.ReadAllBytes(Path.Combine(publishFolder, Stories + ".qqq")));
    }

    [Fact]
    public void TouchingTheModelRequantizes()
    {
        using var project = TestProject.InRepo("");
        var model = Path.Combine(project.Directory, "stories260K.bin");
        File.Copy(Models.Stories260K, model);
        project.SetModel(StoriesModel(model: model));
        Succeeded(project.Build());
        var written = File.GetLastWriteTimeUtc(project.Artifact(Stories));

        File.SetLastWriteTimeUtc(model, written.AddSeconds(2));
        var build = project.Build();

        Succeeded(build);
        Assert.True(TestProject.Quantized(build), build.ToString());
        Assert.True(File.GetLastWriteTimeUtc(project.Artifact(Stories)) > written);
    }

    [Fact]
    public void ChangingTheCalibrationTextRequantizesWithTheNewText()
    {
        using var project = TestProject.InRepo("");
        var calibration = Path.Combine(project.Directory, "calibration.txt");
        File.Copy(Models.CalibrationText, calibration);
        project.SetModel(StoriesModel(calibration: calibration));
        Succeeded(project.Build());
        var before = File.ReadAllText(project.Manifest(Stories));

        File.AppendAllText(calibration, "\nOnce upon a time, a small robot found a red kite in the park and flew it all day.\n");
        var build = project.Build();

        Succeeded(build);
        Assert.True(TestProject.Quantized(build), build.ToString());
        // The manifest records the calibration file's hash: the new text was used.
        Assert.NotEqual(before, File.ReadAllText(project.Manifest(Stories)));
    }

    [Fact]
    public void ChangingGranularityOrGroupSizeRequantizes()
    {
        using var project = TestProject.InRepo("");
        var model = Path.Combine(project.Directory, "tiny.bin");
        Models.WriteTinyLlama2C(model);
        string Tiny(string options) =>
            $"""Include="{model}" Tokenizer="{Models.Stories260KTokenizer}" CalibrationText="{Models.CalibrationText}" {Models.FastCalibration} {options}""";

        project.SetModel(Tiny("""Granularity="PerChannel" GroupSize="64" """));
        var perChannel = project.Build();
        Succeeded(perChannel);
        Assert.True(TestProject.Quantized(perChannel), perChannel.ToString());
        Assert.Equal(("per-channel", -1), Models.Quantization(project.Manifest("tiny")));

        // Per-channel quantization has no groups: its group size is not an option of the artifact.
        project.SetModel(Tiny("""Granularity="PerChannel" GroupSize="32" """));
        var unused = project.Build();
        Succeeded(unused);
        Assert.True(TestProject.SkippedQuantization(unused), unused.ToString());

        project.SetModel(Tiny("""Granularity="PerGroup" GroupSize="32" """));
        var perGroup = project.Build();
        Succeeded(perGroup);
        Assert.True(TestProject.Quantized(perGroup), perGroup.ToString());
        Assert.Equal(("per-group", 32), Models.Quantization(project.Manifest("tiny")));

        project.SetModel(Tiny("""Granularity="PerGroup" GroupSize="64" """));
        var groupSize = project.Build();
        Succeeded(groupSize);
        Assert.True(TestProject.Quantized(groupSize), groupSize.ToString());
        Assert.Equal(("per-group", 64), Models.Quantization(project.Manifest("tiny")));
    }

    [Fact]
    public void CleanRemovesTheArtifacts()
    {
        using var project = TestProject.InRepo(StoriesModel());
        Succeeded(project.Build());
        Assert.True(File.Exists(project.Artifact(Stories)));

        // Only the app: a command-line clean also cleans referenced projects, here the repository's own.
        Succeeded(project.Run("clean", TimeSpan.FromMinutes(5), ["-p:BuildProjectReferences=false"]));

        Assert.False(File.Exists(project.Artifact(Stories)));
        Assert.False(File.Exists(project.Manifest(Stories)));
        Assert.False(File.Exists(project.Artifact(Stories) + ".options"));
        Assert.False(File.Exists(project.CopiedArtifact(Stories)));
    }

    public static TheoryData<string, string> BadMetadata => new()
    {
        { StoriesModel(extra: """Granularity="PerTensor" """), "QQQ002" },
        { StoriesModel(model: "models/missing.bin"), "QQQ001" },
        // stories260K's hidden size 64 and intermediate size 172: the default group size 128 divides neither.
        { StoriesModel(extra: """Granularity="PerGroup" """), "QQQ004" },
    };

    [Theory]
    [MemberData(nameof(BadMetadata))]
    public void BadMetadataFailsTheBuildAtTheItemInTheProjectFile(string modelAttributes, string code)
    {
        using var project = TestProject.InRepo(modelAttributes);

        var build = project.Build();

        Assert.NotEqual(0, build.ExitCode);
        var errors = Diagnostics.Errors(build, code);
        Assert.True(errors.Count > 0, build.ToString());
        Assert.All(errors, error => Assert.StartsWith($"{project.ProjectFile}({project.ModelLine}): error {code}:", error, StringComparison.Ordinal));
        Assert.False(File.Exists(project.Artifact(Stories)));
    }

    [Fact]
    public void KilledBuildLeavesNoArtifactAndTheNextBuildQuantizes()
    {
        using var project = TestProject.InRepo(StoriesModel(extra: """Seed="0" """));
        Succeeded(project.Build());
        Assert.Equal(0, Models.Seed(project.Manifest(Stories)));

        // A new seed makes the old artifact stale; kill the whole build while the quantizer works on the new one.
        project.SetModel(StoriesModel(extra: """Seed="1" """));
        var killed = project.Run("build", TimeSpan.FromMinutes(10), [], interrupt: new(WhileQuantizing, ControlC: false));

        Assert.NotEqual(0, killed.ExitCode);
        Assert.Empty(Processes.AfterWaiting(project.Artifact(Stories), TimeSpan.FromSeconds(10)));
        Assert.False(File.Exists(project.Artifact(Stories)), killed.ToString());
        Assert.False(File.Exists(project.Manifest(Stories)), killed.ToString());

        var next = project.Build();
        Succeeded(next);
        Assert.True(TestProject.Quantized(next), next.ToString());
        Assert.Equal(1, Models.Seed(project.Manifest(Stories)));
    }

    [Fact]
    public void CtrlCStopsTheQuantizerWhichWritesNothing()
    {
        using var project = TestProject.InRepo(StoriesModel());

        var cancelled = project.Run("build", TimeSpan.FromMinutes(10), [], interrupt: new(WhileQuantizing, ControlC: true));

        Assert.NotEqual(0, cancelled.ExitCode);
        // Stopped by the task's SIGTERM, cleanly, rather than killed.
        Assert.Contains("qqq: cancelled; nothing was written", cancelled.Output, StringComparison.Ordinal);
        Assert.Empty(Processes.AfterWaiting(project.Artifact(Stories), TimeSpan.FromSeconds(10)));
        Assert.False(File.Exists(project.Artifact(Stories)), cancelled.ToString());
    }

    static bool WhileQuantizing(string line) => line.TrimStart().StartsWith("quantizing ", StringComparison.Ordinal);

    /// <summary>The generator as the in-repo props hand it to the compiler: the Generators project's build output.</summary>
    static string InRepoGenerator => Path.Combine(SharedData.RepoRoot, "src", "QQQ.Generators", "bin", Dotnet.Configuration, "netstandard2.0", "QQQ.Generators.dll");

    [Fact]
    public void DesignTimeBuildNeverQuantizesButHandsTheIdeTheGeneratorAndAnExistingManifest()
    {
        using var project = TestProject.InRepo(StoriesModel());
        Succeeded(project.Restore());

        // An IDE opening the fresh project: nothing to report and nothing quantized. The generator is handed
        // over, but no manifest, its only input: no class yet (the app's use of it is an error in the IDE).
        var before = DesignTimeBuild.Run(project);
        Assert.Empty(Diagnostics.All(before.Run));
        Assert.Equal("Skipped", before.QuantizeResult);
        Assert.False(File.Exists(project.Artifact(Stories)));
        Assert.Contains("/analyzer:" + InRepoGenerator, before.CompilerArguments);
        Assert.DoesNotContain(before.CompilerArguments, argument => argument.StartsWith("/additionalfile:", StringComparison.Ordinal));

        Succeeded(project.Build());
        var after = DesignTimeBuild.Run(project);
        Assert.Equal("Skipped", after.QuantizeResult);
        Assert.Contains("/analyzer:" + InRepoGenerator, after.CompilerArguments);
        Assert.Contains("/additionalfile:" + project.Manifest(Stories), after.CompilerArguments);

        // From exactly those arguments the compiler generates the class, and the app that uses it compiles cleanly.
        DesignTimeCompilation.AssertGeneratesTheModelClass(project, after);
    }
}
