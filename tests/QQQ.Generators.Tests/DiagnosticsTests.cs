using System.Text.Json.Nodes;
using Microsoft.CodeAnalysis;
using QQQ.Generators.Tests.Infrastructure;

namespace QQQ.Generators.Tests;

/// <summary>QQQ101-QQQ105: reported at the manifest, never a crash, never a partial class.</summary>
public sealed class DiagnosticsTests
{
    private static readonly ManifestInput Stories = GeneratedSourceTests.Stories260K;
    private static readonly ManifestInput Sotu = GeneratedSourceTests.LlamaSotu26m;

    [Theory]
    [InlineData("{ \"format\": \"qqq-artifact\", ", "not valid JSON: unexpected end of text")]
    [InlineData("[1, 2]", "must be a JSON object, but is an array")]
    [InlineData("{}", "required property 'format' is missing")]
    [InlineData("{ \"format\": \"something-else\" }", "property 'format' is 'something-else', not 'qqq-artifact'")]
    [InlineData("{ \"format\": \"qqq-artifact\", \"format_version\": 0 }", "property 'format_version' is 0, but versions start at 1")]
    public void QQQ101_UnreadableManifest(string json, string expectedMessage)
    {
        var diagnostic = SingleError(Stories with { Json = json }, "QQQ101");

        Assert.Contains(expectedMessage, diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void QQQ101_FileThatCannotBeRead()
    {
        var diagnostic = SingleError(Stories with { Json = null }, "QQQ101");

        Assert.Contains("could not be read", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Equal(Stories.Path, diagnostic.Location.GetLineSpan().Path);
    }

    [Theory]
    [InlineData("architecture", "hidden_size", "required property 'architecture.hidden_size' is missing")]
    [InlineData("quantization", "granularity", "required property 'quantization.granularity' is missing")]
    [InlineData("", "tokenizer", "required property 'tokenizer' is missing")]
    [InlineData("calibration", "samples", "required property 'calibration.samples' is missing")]
    public void QQQ101_MissingRequiredProperty_IsNamed(string objectPath, string property, string expectedMessage)
    {
        var json = TestManifests.Edit(Stories.Json!, root => TestManifests.At(root, objectPath).Remove(property));

        var diagnostic = SingleError(Stories with { Json = json }, "QQQ101");

        Assert.Contains(expectedMessage, diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hidden_size", "\"64\"", "property 'architecture.hidden_size' must be an integer, but is a string")]
    [InlineData("hidden_size", "64.0", "property 'architecture.hidden_size' must be a 32-bit integer, but is 64.0")]
    [InlineData("hidden_size", "4294967296", "property 'architecture.hidden_size' must be a 32-bit integer, but is 4294967296")]
    [InlineData("rms_norm_eps", "\"1e-5\"", "property 'architecture.rms_norm_eps' must be a number, but is a string")]
    [InlineData("tie_word_embeddings", "1", "property 'architecture.tie_word_embeddings' must be true or false, but is a number")]
    [InlineData("model_type", "null", "property 'architecture.model_type' must be a string, but is null")]
    public void QQQ101_WrongTypedProperty_IsNamedAndLocated(string property, string value, string expectedMessage)
    {
        var json = TestManifests.Edit(Stories.Json!, root => root["architecture"]![property] = JsonNode.Parse(value));

        var diagnostic = SingleError(Stories with { Json = json }, "QQQ101");

        Assert.Contains(expectedMessage, diagnostic.GetMessage(), StringComparison.Ordinal);
        var lineText = LineOf(json, diagnostic);
        Assert.Contains($"\"{property}\"", lineText, StringComparison.Ordinal);
        Assert.Equal(value, json.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
    }

    [Theory]
    [InlineData("hidden_size", 0, "architecture.hidden_size must be positive, but is 0")]
    [InlineData("num_attention_heads", 7, "architecture.hidden_size 64 is not divisible by num_attention_heads 7")]
    [InlineData("num_attention_heads", 64, "architecture.hidden_size 64 / num_attention_heads 64 gives the odd head dimension 1")]
    [InlineData("num_key_value_heads", 3, "architecture.num_key_value_heads 3 does not divide num_attention_heads 8")]
    [InlineData("eos_token_id", 512, "architecture.eos_token_id 512 lies outside the vocabulary (vocab_size 512)")]
    public void QQQ101_ShapeTheRuntimeWouldRefuse(string property, int value, string expectedMessage)
    {
        var json = TestManifests.Edit(Stories.Json!, root => root["architecture"]![property] = value);

        var diagnostic = SingleError(Stories with { Json = json }, "QQQ101");

        Assert.Contains(expectedMessage, diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void QQQ101_JsonSyntaxError_IsLocatedWhereTheParserStopped()
    {
        var json = Stories.Json!.Replace("\"vocab_size\": 512,", "\"vocab_size\": 512,,", StringComparison.Ordinal);

        var diagnostic = SingleError(Stories with { Json = json }, "QQQ101");

        Assert.Contains("unexpected character ','", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Equal(json.IndexOf(",,", StringComparison.Ordinal) + 1, diagnostic.Location.SourceSpan.Start);
        Assert.Contains("\"vocab_size\"", LineOf(json, diagnostic), StringComparison.Ordinal);
    }

    [Fact]
    public void QQQ102_NewerFormatVersion()
    {
        var json = TestManifests.Edit(Stories.Json!, root =>
        {
            root["format_version"] = 2;
            root.Remove("architecture"); // a newer format may look different: the version is reported, not this
        });

        var diagnostic = SingleError(Stories with { Json = json }, "QQQ102");

        Assert.Equal(
            "The QQQ model manifest has format_version 2, but this generator reads format versions up to 1; update the QQQ packages",
            diagnostic.GetMessage());
        Assert.Equal("2", json.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
    }

    [Theory]
    [InlineData("my model", "The class name 'my model' contains characters that are not allowed in a C# identifier; using 'my_model' instead", "my_model")]
    [InlineData("class", "The class name 'class' is a C# keyword; using 'Class' instead", "Class")]
    [InlineData("mymodel", "The class name 'mymodel' is all lower-case letters, which C# reserves for keywords; using 'Mymodel' instead", "Mymodel")]
    [InlineData("Tokenizer", "The class name 'Tokenizer' is the name of a generated member; using 'TokenizerModel' instead", "TokenizerModel")]
    public void QQQ103_InvalidClassNameFromMetadata_IsSanitized(string className, string expectedMessage, string expectedClass)
    {
        var result = GeneratorHarness.Run(Stories with { ClassName = className });

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(("QQQ103", DiagnosticSeverity.Warning), (diagnostic.Id, diagnostic.Severity));
        Assert.Equal(expectedMessage, diagnostic.GetMessage());
        Assert.Contains($"public sealed partial class {expectedClass} : global::System.IDisposable", GeneratorHarness.SingleSource(result));
    }

    [Fact]
    public void QQQ103_InvalidDerivedClassName_IsSanitizedAndLocatedAtTheModelName()
    {
        var json = TestManifests.Edit(Stories.Json!, root => root["name"] = "7b-chat");

        var result = GeneratorHarness.Run(Stories with { Json = json });

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("QQQ103", diagnostic.Id);
        Assert.Equal("The class name '7bChat' does not start with a letter or '_'; using '_7bChat' instead", diagnostic.GetMessage());
        Assert.Equal("\"7b-chat\"", json.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Contains("public sealed partial class _7bChat", GeneratorHarness.SingleSource(result));
    }

    [Fact]
    public void QQQ103_InvalidNamespace_IsSanitized()
    {
        var result = GeneratorHarness.Run(Stories with { Namespace = "My App.1st.Models" });

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("QQQ103", diagnostic.Id);
        Assert.Equal(
            "The namespace 'My App.1st.Models' contains characters that are not allowed in a C# identifier and does not start with a letter or '_'; using 'My_App._1st.Models' instead",
            diagnostic.GetMessage());
        Assert.Equal("My_App._1st.Models.Stories260K.g.cs", Assert.Single(result.GeneratedSources).HintName);
    }

    [Fact]
    public void QQQ104_SameClassFromTwoManifests_ReportedOnBoth_NeitherEmitted()
    {
        var first = Stories with { Path = "/project/A/stories260K.qqq.json" };
        var second = Stories with { Path = "/project/B/stories260K.qqq.json" };

        var result = GeneratorHarness.Run(first, second, Sotu);

        Assert.Equal(["Sample.LlamaSotu26m.g.cs"], result.GeneratedSources.Select(s => s.HintName));
        Assert.Equal(2, result.Diagnostics.Length);
        Assert.All(result.Diagnostics, d => Assert.Equal(("QQQ104", DiagnosticSeverity.Error), (d.Id, d.Severity)));
        var onFirst = Assert.Single(result.Diagnostics, d => d.Location.GetLineSpan().Path == first.Path);
        Assert.Contains($"'Sample.Stories260K' is also generated from '{second.Path}'", onFirst.GetMessage(), StringComparison.Ordinal);
        var onSecond = Assert.Single(result.Diagnostics, d => d.Location.GetLineSpan().Path == second.Path);
        Assert.Contains($"'Sample.Stories260K' is also generated from '{first.Path}'", onSecond.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void QQQ104_ClassNamesDifferingOnlyInCase_AreDuplicates()
    {
        var result = GeneratorHarness.Run(Stories, Sotu with { ClassName = "STORIES260K" });

        Assert.Empty(result.GeneratedSources);
        Assert.Equal(["QQQ104", "QQQ104"], result.Diagnostics.Select(d => d.Id));
    }

    [Fact]
    public void QQQ104_SameModelUnderDistinctClassNames_IsFine()
    {
        var result = GeneratorHarness.Run(Stories, Stories with { Path = "/project/B/stories260K.qqq.json", ClassName = "Stories260KCopy" });

        Assert.Empty(result.Diagnostics);
        Assert.Equal(["Sample.Stories260K.g.cs", "Sample.Stories260KCopy.g.cs"], result.GeneratedSources.Select(s => s.HintName).Order());
    }

    [Theory]
    [InlineData("per-group", 100, "granularity 'per-group' with group_size 100 (supported: 'per-channel' with group_size -1, 'per-group' with group_size 32, 64 or 128)")]
    [InlineData("per-channel", 128, "granularity 'per-channel' with group_size 128")]
    [InlineData("per-tensor", -1, "granularity 'per-tensor' with group_size -1")]
    [InlineData("per-group", 128, "group_size 128 does not divide both hidden_size 64 and intermediate_size 172")]
    public void QQQ105_UnsupportedGranularity(string granularity, int groupSize, string expectedMessage)
    {
        var json = TestManifests.Edit(Stories.Json!, root =>
        {
            root["quantization"]!["granularity"] = granularity;
            root["quantization"]!["group_size"] = groupSize;
        });

        var diagnostic = SingleError(Stories with { Json = json }, "QQQ105");

        Assert.Contains(expectedMessage, diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("\"group_size\"", LineOf(json, diagnostic), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("method", "\"awq\"", "method 'awq' with wbits 4 and abits 8 (supported: 'qqq' with wbits 4 and abits 8)")]
    [InlineData("wbits", "8", "method 'qqq' with wbits 8 and abits 8")]
    [InlineData("layout", "\"gptq-packed\"", "weight layout 'gptq-packed' (supported: 'qqq-marlin', 'natural')")]
    public void QQQ105_UnsupportedScheme(string property, string value, string expectedMessage)
    {
        var json = TestManifests.Edit(Stories.Json!, root => root["quantization"]![property] = JsonNode.Parse(value));

        var diagnostic = SingleError(Stories with { Json = json }, "QQQ105");

        Assert.Contains(expectedMessage, diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void BadManifest_DoesNotStopTheOthers()
    {
        var result = GeneratorHarness.Run(Stories with { Json = "{" }, Sotu);

        Assert.Equal("QQQ101", Assert.Single(result.Diagnostics).Id);
        Assert.Equal("Sample.LlamaSotu26m.g.cs", Assert.Single(result.GeneratedSources).HintName);
    }

    [Fact]
    public void OtherAdditionalFiles_AreIgnored()
    {
        var result = GeneratorHarness.Run(new ManifestInput("/project/appsettings.json", "{}"), new ManifestInput("/project/x.qqq", "binary"));

        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.GeneratedSources);
    }

    /// <summary>The one diagnostic of a run over one manifest: an error with this id, in the manifest, and no source.</summary>
    private static Diagnostic SingleError(ManifestInput manifest, string id)
    {
        var result = GeneratorHarness.Run(manifest);
        Assert.Empty(result.GeneratedSources);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal((id, DiagnosticSeverity.Error), (diagnostic.Id, diagnostic.Severity));
        Assert.Equal(manifest.Path, diagnostic.Location.GetLineSpan().Path);
        Assert.Equal("QQQ", diagnostic.Descriptor.Category);
        return diagnostic;
    }

    private static string LineOf(string text, Diagnostic diagnostic) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')[diagnostic.Location.GetLineSpan().StartLinePosition.Line];
}
