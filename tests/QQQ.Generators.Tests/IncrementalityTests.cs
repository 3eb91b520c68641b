using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using QQQ.Generators.Tests.Infrastructure;

namespace QQQ.Generators.Tests;

/// <summary>Reruns that change nothing a model depends on recompute nothing; a changed manifest regenerates only its model.</summary>
public sealed class IncrementalityTests
{
    private static readonly string[] TrackedSteps =
    [
        TrackingNames.ManifestFiles, TrackingNames.Models, TrackingNames.ModelIdentities,
        TrackingNames.DuplicateNames, TrackingNames.ModelOutputs,
    ];

    private static readonly ManifestInput Stories = GeneratedSourceTests.Stories260K;
    private static readonly ManifestInput Sotu = GeneratedSourceTests.LlamaSotu26m;

    [Fact]
    public void UnrelatedEdits_ReuseEveryStep()
    {
        var compilation = GeneratorHarness.Compilation("class Program { }");
        var driver = GeneratorHarness.CreateDriver([Stories, Sotu]).RunGenerators(compilation);
        var unrelatedText = new ManifestInput("/project/notes.txt", "not a manifest");

        // An unrelated syntax tree, an unrelated additional file, and (as in a real build) fresh options for them.
        driver = driver
            .AddAdditionalTexts([unrelatedText.ToAdditionalText()])
            .WithUpdatedAnalyzerConfigOptions(GeneratorHarness.Options([Stories, Sotu, unrelatedText]))
            .RunGenerators(compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated { }", GeneratorHarness.ParseOptions)));

        var result = Assert.Single(driver.GetRunResult().Results);
        Assert.Equal(2, result.GeneratedSources.Length);
        foreach (var step in TrackedSteps)
            Assert.All(Outputs(result, step), output => Assert.True(
                output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {output.Reason}"));
        Assert.All(SourceOutputs(result), output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void ChangedManifest_RegeneratesOnlyItsModel()
    {
        var compilation = GeneratorHarness.Compilation("class Program { }");
        var storiesText = Stories.ToAdditionalText();
        var driver = GeneratorHarness
            .CreateDriver([storiesText, Sotu.ToAdditionalText()], GeneratorHarness.Options([Stories, Sotu]))
            .RunGenerators(compilation);
        var before = Sources(driver);

        var edited = TestManifests.Edit(Stories.Json!, root => root["architecture"]!["max_position_embeddings"] = 1024);
        driver = driver
            .ReplaceAdditionalText(storiesText, (Stories with { Json = edited }).ToAdditionalText())
            .RunGenerators(compilation);

        var result = Assert.Single(driver.GetRunResult().Results);
        var modelOutputs = Outputs(result, TrackingNames.ModelOutputs).ToList();
        Assert.Equal(2, modelOutputs.Count);
        Assert.Single(modelOutputs, output => output.Reason == IncrementalStepRunReason.Modified);
        Assert.Single(modelOutputs, output => output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
        var sourceOutputs = SourceOutputs(result).ToList();
        Assert.Single(sourceOutputs, output => output.Reason == IncrementalStepRunReason.Modified);
        Assert.Single(sourceOutputs, output => output.Reason == IncrementalStepRunReason.Cached);

        var after = Sources(driver);
        Assert.Equal(before["Sample.LlamaSotu26m.g.cs"], after["Sample.LlamaSotu26m.g.cs"]);
        Assert.NotEqual(before["Sample.Stories260K.g.cs"], after["Sample.Stories260K.g.cs"]);
        Assert.Contains("public const int ContextLength = 1024;", after["Sample.Stories260K.g.cs"]);
    }

    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(run => run.Outputs);

    private static IEnumerable<(object Value, IncrementalStepRunReason Reason)> SourceOutputs(GeneratorRunResult result) =>
        result.TrackedOutputSteps.SelectMany(pair => pair.Value).SelectMany(run => run.Outputs);

    private static Dictionary<string, string> Sources(GeneratorDriver driver) =>
        driver.GetRunResult().Results.Single().GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());
}
