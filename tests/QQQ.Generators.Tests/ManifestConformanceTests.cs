using System.Text.Json.Nodes;
using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Generators.Model;
using QQQ.Generators.Parsing;
using QQQ.Generators.Tests.Infrastructure;

namespace QQQ.Generators.Tests;

/// <summary>
/// The generator accepts exactly the manifests that the runtime's <see cref="ArtifactManifest.Parse"/> accepts,
/// so a model that would fail to load fails the build instead (and a loadable one always builds).
/// </summary>
public sealed class ManifestConformanceTests
{
    private const string Path = "/project/stories260K.qqq.json";

    public static TheoryData<string> Edits => new()
    {
        "none",
        // required properties
        "remove tool_version", "remove name", "remove architecture", "remove quantization", "remove tokenizer",
        "remove source_sha256", "remove settings_sha256",
        "remove architecture.model_type", "remove architecture.hidden_size", "remove architecture.intermediate_size",
        "remove architecture.num_hidden_layers", "remove architecture.num_attention_heads", "remove architecture.num_key_value_heads",
        "remove architecture.vocab_size", "remove architecture.max_position_embeddings", "remove architecture.rms_norm_eps",
        "remove architecture.rope_theta", "remove architecture.tie_word_embeddings",
        "remove quantization.granularity", "remove quantization.group_size", "remove quantization.smoothing", "remove quantization.weights",
        "remove quantization.layout",
        "remove tokenizer.kind", "remove tokenizer.file_name", "remove tokenizer.sha256",
        "remove calibration.files", "remove calibration.samples", "remove calibration.sequence_length", "remove calibration.seed",
        "remove calibration.files.0.name", "remove calibration.files.0.sha256",
        // optional properties
        "remove format_version", "remove calibration", "remove architecture.attention_bias", "remove architecture.bos_token_id",
        "remove architecture.eos_token_id", "remove quantization.method", "remove quantization.wbits", "remove quantization.abits",
        "set calibration null", "set unknown_property 1", "set architecture.attention_bias true",
        // wrong types
        "set name 5", "set architecture.hidden_size \"64\"", "set architecture.hidden_size 64.0", "set architecture.hidden_size 1e2",
        "set architecture.rope_theta \"10000\"", "set architecture.rope_theta 10000", "set architecture.tie_word_embeddings 1",
        "set quantization.group_size \"-1\"", "set calibration []", "set calibration.files {}", "set calibration.files.0 \"x\"",
        "set architecture []", "set format_version \"1\"",
        // values
        "set format \"other\"", "set format_version 0", "set format_version 2",
        "set architecture.hidden_size 0", "set architecture.num_hidden_layers -1", "set architecture.num_attention_heads 7",
        "set architecture.num_attention_heads 64", "set architecture.num_key_value_heads 3", "set architecture.num_key_value_heads 8",
        "set architecture.rms_norm_eps 0", "set architecture.rms_norm_eps -1e-5", "set architecture.rope_theta 1e39",
        "set architecture.bos_token_id 512", "set architecture.eos_token_id -1", "set architecture.vocab_size 2",
        "set quantization.granularity \"per-group\"", "set quantization.group_size 128", "set quantization.method \"awq\"",
        "set quantization.wbits 8", "set quantization.abits 4", "set quantization.layout \"other\"", "set quantization.layout \"natural\"",
        "set quantization.granularity \"per-tensor\"",
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public void GeneratorAndRuntime_AgreeOnWhatIsValid(string edit)
    {
        var json = Apply(TestManifests.Stories260KJson, edit);

        var runtimeAccepts = RuntimeAccepts(json, out var runtimeError);
        var result = ManifestParser.Parse(new ManifestFile(Path, json, null, null, "Sample"));

        Assert.True(runtimeAccepts == result.Spec is not null,
            $"runtime {(runtimeAccepts ? "accepts" : "rejects: " + runtimeError)}; generator: " +
            string.Join("; ", result.Diagnostics.Select(d => d.ToDiagnostic().GetMessage())));
        Assert.Equal(runtimeAccepts, result.Diagnostics.All(d => d.Descriptor.DefaultSeverity != Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
    }

    [Fact]
    public void PerGroupManifest_IsAcceptedByBoth()
    {
        Assert.True(RuntimeAccepts(TestManifests.LlamaSotu26mJson, out _));
        Assert.NotNull(ManifestParser.Parse(new ManifestFile(Path, TestManifests.LlamaSotu26mJson, null, null, null)).Spec);
    }

    private static bool RuntimeAccepts(string json, out string? error)
    {
        try
        {
            ArtifactManifest.Parse(json, Path);
            error = null;
            return true;
        }
        catch (ModelFormatException e)
        {
            error = e.Problem;
            return false;
        }
    }

    /// <summary>"remove a.b" or "set a.b JSON" on the manifest's DOM (a number in the path indexes an array).</summary>
    private static string Apply(string json, string edit)
    {
        if (edit == "none") return json;
        var parts = edit.Split(' ', 3);
        var path = parts[1].Split('.');
        return TestManifests.Edit(json, root =>
        {
            var parent = path[..^1].Aggregate((JsonNode)root, (node, part) => int.TryParse(part, out var i) ? node[i]! : node[part]!);
            var name = path[^1];
            if (parts[0] == "remove") parent.AsObject().Remove(name);
            else if (int.TryParse(name, out var index)) parent[index] = JsonNode.Parse(parts[2]);
            else parent[name] = JsonNode.Parse(parts[2]);
        });
    }
}
