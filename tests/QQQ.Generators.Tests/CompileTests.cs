using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using QQQ.Generators.Tests.Infrastructure;

namespace QQQ.Generators.Tests;

/// <summary>
/// The generated classes compile cleanly against the real QQQ.Runtime and QQQ.Formats assemblies: all
/// warnings as errors, every warning wave, nullable on, documentation comments checked.
/// </summary>
public sealed class CompileTests
{
    /// <summary>Uses the generated API the way an application would.</summary>
    private const string Application = """
        #nullable enable
        namespace Sample;

        /// <summary>An application.</summary>
        public static class Application
        {
            /// <summary>Runs both models.</summary>
            /// <returns>A number, so that nothing is unused.</returns>
            public static async System.Threading.Tasks.Task<int> RunAsync()
            {
                using var stories = Stories260K.Load();
                using var sotu = LlamaSotu26m.Load("/models/llama-sotu-26m.qqq", options: null);
                foreach (var piece in stories.Generate("Once upon a time")) System.Console.Write(piece);
                await foreach (var piece in sotu.GenerateAsync("Hello", settings: null, System.Threading.CancellationToken.None))
                    System.Console.Write(piece);
                float[] logits = stories.Forward(new[] { 1, 2, 3 });
                QQQ.Runtime.QQQModel<QQQ.Runtime.PerGroup128> model = sotu.Model;
                QQQ.Formats.ITextTokenizer tokenizer = stories.Tokenizer;
                return logits.Length + Stories260K.VocabSize + LlamaSotu26m.GroupSize + model.Forward(new[] { 1 }).Length
                    + tokenizer.Encode(Stories260K.ModelName + Stories260K.ArtifactFileName + LlamaSotu26m.Granularity, addBos: true).Length;
            }
        }
        """;

    private static readonly CSharpParseOptions ParseOptions =
        GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);

    private static readonly CSharpCompilationOptions StrictOptions = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        .WithNullableContextOptions(NullableContextOptions.Enable)
        .WithGeneralDiagnosticOption(ReportDiagnostic.Error)
        .WithWarningLevel(9999);

    private static readonly MetadataReference[] Runtime =
    [
        MetadataReference.CreateFromFile(typeof(QQQ.Runtime.QQQModel<>).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(QQQ.Formats.ITextTokenizer).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(ILGPU.Context).Assembly.Location),
    ];

    [Fact]
    public void GeneratedClasses_CompileWithoutAnyDiagnostic()
    {
        var compilation = CSharpCompilation.Create(
            "Sample",
            [CSharpSyntaxTree.ParseText(Application, ParseOptions, path: "/project/Application.cs")],
            [.. Basic.Reference.Assemblies.Net100.References.All, .. Runtime],
            StrictOptions);
        var driver = CSharpGeneratorDriver.Create(
            [new ModelGenerator().AsSourceGenerator()],
            [GeneratedSourceTests.Stories260K.ToAdditionalText(), GeneratedSourceTests.LlamaSotu26m.ToAdditionalText()],
            ParseOptions,
            GeneratorHarness.Options([GeneratedSourceTests.Stories260K, GeneratedSourceTests.LlamaSotu26m]));

        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);

        Assert.Empty(generatorDiagnostics);
        Assert.Equal(3, output.SyntaxTrees.Count());
        Assert.Empty(output.GetDiagnostics());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Company.Product.Models")]
    public void GeneratedClass_CompilesInAnyNamespace(string? ns)
    {
        var source = GeneratorHarness.SingleSource(GeneratorHarness.Run(rootNamespace: ns, GeneratedSourceTests.Stories260K));

        Assert.Empty(Compile(source).GetDiagnostics());
    }

    private static CSharpCompilation Compile(string source) =>
        CSharpCompilation.Create(
            "Sample",
            [CSharpSyntaxTree.ParseText(source, ParseOptions, path: "/project/Model.g.cs")],
            [.. Basic.Reference.Assemblies.Net100.References.All, .. Runtime],
            StrictOptions);
}
