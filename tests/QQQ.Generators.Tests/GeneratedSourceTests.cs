using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using QQQ.Generators.Tests.Infrastructure;
using QQQ.TestSupport;

namespace QQQ.Generators.Tests;

/// <summary>The generated model classes, compared with reviewed snapshots.</summary>
public sealed class GeneratedSourceTests
{
    internal static readonly ManifestInput Stories260K = new("/project/Models/stories260K.qqq.json", TestManifests.Stories260KJson);
    internal static readonly ManifestInput LlamaSotu26m = new("/project/Models/llama-sotu-26m.qqq.json", TestManifests.LlamaSotu26mJson);

    private static readonly string GeneratorVersion = typeof(ModelGenerator).Assembly.GetName().Version!.ToString();

    [Fact]
    public void PerChannelModel_MatchesSnapshot()
    {
        var result = GeneratorHarness.Run(Stories260K);

        Assert.Empty(result.Diagnostics);
        var generated = Assert.Single(result.GeneratedSources);
        Assert.Equal("Sample.Stories260K.g.cs", generated.HintName);
        Snapshots.Verify(ScrubVersion(generated.SourceText.ToString()), "Stories260K");
    }

    [Fact]
    public void PerGroupModel_MatchesSnapshot()
    {
        var result = GeneratorHarness.Run(LlamaSotu26m);

        Assert.Empty(result.Diagnostics);
        var generated = Assert.Single(result.GeneratedSources);
        Assert.Equal("Sample.LlamaSotu26m.g.cs", generated.HintName);
        Snapshots.Verify(ScrubVersion(generated.SourceText.ToString()), "LlamaSotu26m");
    }

    [Fact]
    public void ModelInGlobalNamespace_MatchesSnapshot()
    {
        var result = GeneratorHarness.Run(rootNamespace: null, Stories260K with { ClassName = "TinyStories" });

        Assert.Empty(result.Diagnostics);
        var generated = Assert.Single(result.GeneratedSources);
        Assert.Equal("TinyStories.g.cs", generated.HintName);
        Snapshots.Verify(ScrubVersion(generated.SourceText.ToString()), "TinyStoriesGlobalNamespace");
    }

    [Fact]
    public void GeneratedCodeAttribute_CarriesTheGeneratorVersion()
    {
        var source = GeneratorHarness.SingleSource(GeneratorHarness.Run(Stories260K));

        Assert.Contains($"[global::System.CodeDom.Compiler.GeneratedCode(\"QQQ.Generators\", \"{GeneratorVersion}\")]", source);
    }

    [Fact]
    public void Granularity_IsBoundByTheTypeArgument_NotByARuntimeValue()
    {
        var perChannel = Members(GeneratorHarness.SingleSource(GeneratorHarness.Run(Stories260K)));
        var perGroup = Members(GeneratorHarness.SingleSource(GeneratorHarness.Run(LlamaSotu26m)));

        Assert.Equal("global::QQQ.Runtime.QQQModel<global::QQQ.Runtime.PerChannel>", FieldType(perChannel));
        Assert.Equal("global::QQQ.Runtime.QQQModel<global::QQQ.Runtime.PerGroup128>", FieldType(perGroup));
        // The runtime is called the same way by both: only the type argument carries the granularity.
        Assert.Equal("new(global::QQQ.Runtime.QQQModel<global::QQQ.Runtime.PerChannel>.Load(artifactPath, options))", LoadBody(perChannel));
        Assert.Equal("new(global::QQQ.Runtime.QQQModel<global::QQQ.Runtime.PerGroup128>.Load(artifactPath, options))", LoadBody(perGroup));
        Assert.Equal(
            Calls(perChannel).Replace("PerChannel", "TG", StringComparison.Ordinal),
            Calls(perGroup).Replace("PerGroup128", "TG", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(32, "PerGroup32")]
    [InlineData(64, "PerGroup64")]
    [InlineData(128, "PerGroup128")]
    public void GroupSize_SelectsTheRuntimeGranularityType(int groupSize, string runtimeType)
    {
        var json = TestManifests.Edit(TestManifests.LlamaSotu26mJson, root => root["quantization"]!["group_size"] = groupSize);

        var source = GeneratorHarness.SingleSource(GeneratorHarness.Run(LlamaSotu26m with { Json = json }));

        Assert.Contains($"private readonly global::QQQ.Runtime.QQQModel<global::QQQ.Runtime.{runtimeType}> _model;", source);
        Assert.Contains($"public const int GroupSize = {groupSize};", source);
    }

    [Fact]
    public void GeneratedSources_HaveNoSyntaxErrors()
    {
        var result = GeneratorHarness.Run(Stories260K, LlamaSotu26m);

        Assert.Equal(2, result.GeneratedSources.Length);
        Assert.All(result.GeneratedSources, generated =>
            Assert.Empty(CSharpSyntaxTree.ParseText(generated.SourceText, GeneratorHarness.ParseOptions).GetDiagnostics()));
    }

    private static string ScrubVersion(string source) => source.Replace(
        $"GeneratedCode(\"QQQ.Generators\", \"{GeneratorVersion}\")", "GeneratedCode(\"QQQ.Generators\", \"{GeneratorVersion}\")",
        StringComparison.Ordinal);

    private static IReadOnlyList<MemberDeclarationSyntax> Members(string source) =>
        CSharpSyntaxTree.ParseText(source).GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().Single().Members;

    private static string FieldType(IEnumerable<MemberDeclarationSyntax> members) =>
        members.OfType<FieldDeclarationSyntax>().Single(f => f.Modifiers.Any(SyntaxKind.ReadOnlyKeyword)).Declaration.Type.ToString();

    private static string LoadBody(IEnumerable<MemberDeclarationSyntax> members) =>
        members.OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.Text == "Load" && m.ParameterList.Parameters.Count == 2)
            .ExpressionBody!.Expression.ToString();

    /// <summary>Every call the class makes, in order.</summary>
    private static string Calls(IEnumerable<MemberDeclarationSyntax> members) =>
        string.Join("\n", members.SelectMany(m => m.DescendantNodes().OfType<InvocationExpressionSyntax>()).Select(call => call.ToString()));
}
