using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace QQQ.Generators.Tests.Infrastructure;

/// <summary>Runs <see cref="ModelGenerator"/> in-process, the way the compiler would, with step tracking on.</summary>
internal static class GeneratorHarness
{
    public const string RootNamespace = "Sample";

    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    public static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create(
            "Sample",
            sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"/project/Source{i}.cs")),
            Basic.Reference.Assemblies.Net100.References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

    public static TestOptionsProvider Options(IEnumerable<ManifestInput> manifests, string? rootNamespace = RootNamespace) =>
        new(rootNamespace is null
                ? new Dictionary<string, string>()
                : new Dictionary<string, string> { ["build_property.RootNamespace"] = rootNamespace },
            manifests.ToDictionary(manifest => manifest.Path, manifest => manifest.Metadata()));

    public static GeneratorDriver CreateDriver(IEnumerable<ManifestInput> manifests, string? rootNamespace = RootNamespace) =>
        CreateDriver(manifests.Select(manifest => manifest.ToAdditionalText()), Options(manifests, rootNamespace));

    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText> texts, TestOptionsProvider options) =>
        CSharpGeneratorDriver.Create(
            [new ModelGenerator().AsSourceGenerator()],
            texts,
            ParseOptions,
            options,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once over these manifests, asserting that it did not crash.</summary>
    public static GeneratorRunResult Run(params ManifestInput[] manifests) => Run(RootNamespace, manifests);

    public static GeneratorRunResult Run(string? rootNamespace, params ManifestInput[] manifests)
    {
        var driverResult = CreateDriver(manifests, rootNamespace).RunGenerators(Compilation()).GetRunResult();
        AssertNoCrash(driverResult);
        return Assert.Single(driverResult.Results);
    }

    /// <summary>A generator that throws is reported as CS8785 and its output dropped; never acceptable.</summary>
    public static void AssertNoCrash(GeneratorDriverRunResult driverResult)
    {
        Assert.DoesNotContain(driverResult.Diagnostics, diagnostic => diagnostic.Id == "CS8785");
        Assert.All(driverResult.Results, result => Assert.Null(result.Exception));
    }

    /// <summary>The source of the single generated file.</summary>
    public static string SingleSource(GeneratorRunResult result) => Assert.Single(result.GeneratedSources).SourceText.ToString();
}
