using QQQ.Build.Tasks;

namespace QQQ.Build.Tests;

public sealed class ModelSettingsReaderTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("qqq-settings-").FullName;

    public ModelSettingsReaderTests()
    {
        File.WriteAllBytes(Path.Combine(_folder, "model.bin"), [1]);
        File.WriteAllBytes(Path.Combine(_folder, "tok.bin"), [1]);
        File.WriteAllText(Path.Combine(_folder, "a.txt"), "a");
        File.WriteAllText(Path.Combine(_folder, "b.txt"), "b");
        Directory.CreateDirectory(Path.Combine(_folder, "hf-model"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    (ModelSettings? Settings, List<Problem> Problems) Read(string include, params (string Name, string Value)[] metadata)
    {
        var values = metadata.ToDictionary(m => m.Name, m => m.Value);
        values.TryAdd("CalibrationText", "a.txt");
        var problems = new List<Problem>();
        var settings = ModelSettingsReader.Read(include, name => values.GetValueOrDefault(name, ""), _folder, problems);
        return (settings, problems);
    }

    [Fact]
    public void EmptyMetadataMeansTheCliDefaults()
    {
        var (settings, problems) = Read("model.bin");

        Assert.Empty(problems);
        Assert.NotNull(settings);
        Assert.Equal(Path.Combine(_folder, "model.bin"), settings.ModelPath);
        Assert.Equal(("per-channel", 128, 512, "adaptive", 0), (settings.Granularity, settings.CalibrationSamples, settings.SequenceLength, settings.Smoothing, settings.Seed));
        Assert.Null(settings.TokenizerPath);
        Assert.Equal("model", settings.ArtifactName);
    }

    [Fact]
    public void ValuesAreCaseInsensitiveAndPathsRelativeToTheDefiningProject()
    {
        var (settings, problems) = Read("model.bin", ("Granularity", "pergroup"), ("GroupSize", "64"), ("Smoothing", "NONE"),
            ("Tokenizer", "tok.bin"), ("CalibrationText", " a.txt ; b.txt ;"), ("CalibrationSamples", "8"), ("SequenceLength", "64"), ("Seed", "-3"));

        Assert.Empty(problems);
        Assert.Equal(("per-group", 64, "none", -3), (settings!.Granularity, settings.GroupSize, settings.Smoothing, settings.Seed));
        Assert.Equal(Path.Combine(_folder, "tok.bin"), settings.TokenizerPath);
        Assert.Equal([Path.Combine(_folder, "a.txt"), Path.Combine(_folder, "b.txt")], settings.CalibrationFiles);
    }

    [Fact]
    public void AFolderIsAModelNamedAfterIt()
    {
        var (settings, problems) = Read("hf-model/");

        Assert.Empty(problems);
        Assert.Equal("hf-model", settings!.ArtifactName);
    }

    [Theory]
    [InlineData("missing.bin", "", "", "QQQ001")]
    [InlineData("model.bin", "Granularity", "PerTensor", "QQQ002")]
    [InlineData("model.bin", "Smoothing", "Sometimes", "QQQ005")]
    [InlineData("model.bin", "CalibrationSamples", "0", "QQQ006")]
    [InlineData("model.bin", "SequenceLength", "1", "QQQ006")]
    [InlineData("model.bin", "Seed", "zero", "QQQ006")]
    [InlineData("model.bin", "CalibrationText", ";", "QQQ007")]
    [InlineData("model.bin", "CalibrationText", "a.txt;missing.txt", "QQQ007")]
    [InlineData("model.bin", "Tokenizer", "missing.model", "QQQ008")]
    [InlineData("model.bin", "ArtifactName", "../escape", "QQQ009")]
    [InlineData("model.bin", "ArtifactName", ".hidden", "QQQ009")]
    public void EachBadValueIsOneProblemWithItsCode(string include, string name, string value, string code)
    {
        var (settings, problems) = Read(include, (name, value));

        Assert.Null(settings);
        var problem = Assert.Single(problems);
        Assert.Equal(code, problem.Code);
        Assert.StartsWith($"QQQModel '{include}': ", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GroupSizeIsCheckedOnlyForPerGroup()
    {
        Assert.Empty(Read("model.bin", ("GroupSize", "many")).Problems);

        var problem = Assert.Single(Read("model.bin", ("Granularity", "PerGroup"), ("GroupSize", "many")).Problems);
        Assert.Equal("QQQ003", problem.Code);
    }

    [Fact]
    public void AllProblemsAreReportedAtOnce()
    {
        var (_, problems) = Read("missing.bin", ("Granularity", "x"), ("Smoothing", "y"));

        Assert.Equal(["QQQ001", "QQQ002", "QQQ005"], problems.Select(p => p.Code));
    }

    [Fact]
    public void ArgumentsSpellTheCliOptions()
    {
        var (settings, _) = Read("model.bin", ("Granularity", "PerGroup"), ("GroupSize", "32"), ("Tokenizer", "tok.bin"), ("CalibrationText", "a.txt;b.txt"));

        Assert.Equal(
            ["quantize", "--model", Path.Combine(_folder, "model.bin"), "--out", "/out/model.qqq", "--name", "model",
             "--tokenizer", Path.Combine(_folder, "tok.bin"),
             "--calibration", Path.Combine(_folder, "a.txt"), "--calibration", Path.Combine(_folder, "b.txt"),
             "--granularity", "per-group", "--group-size", "32", "--samples", "128", "--seq-len", "512", "--smooth", "adaptive", "--seed", "0"],
            settings!.QuantizeArguments("/out/model.qqq"));
    }

    [Fact]
    public void TheStampChangesWithEveryOptionOfTheArtifactButNotWithUnusedOnes()
    {
        string Stamp(params (string, string)[] metadata) => string.Join("\n", Read("model.bin", metadata).Settings!.StampLines("tool-hash"));
        var baseline = Stamp();

        Assert.Equal(baseline, Stamp(("GroupSize", "32")));
        Assert.Equal(baseline, Stamp(("ClassName", "Other"), ("Namespace", "Elsewhere")));
        Assert.NotEqual(Stamp(("Granularity", "PerGroup"), ("GroupSize", "32")), Stamp(("Granularity", "PerGroup"), ("GroupSize", "64")));
        foreach (var change in new[] { ("Granularity", "PerGroup"), ("Smoothing", "None"), ("Seed", "1"), ("CalibrationSamples", "8"),
                     ("SequenceLength", "64"), ("CalibrationText", "b.txt"), ("Tokenizer", "tok.bin"), ("ArtifactName", "other") })
            Assert.NotEqual(baseline, Stamp(change));
        Assert.NotEqual(baseline, string.Join("\n", Read("model.bin").Settings!.StampLines("another-tool-hash")));
    }
}
