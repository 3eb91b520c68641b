using System.Text.Json.Nodes;
using QQQ.Formats.Artifacts;

namespace QQQ.Generators.Tests.Infrastructure;

/// <summary>
/// Manifests written by QQQ.Formats' own <see cref="ArtifactManifest.ToJson"/>, so the tests exercise the real
/// schema: a renamed property there breaks the generator's tests, as it should.
/// </summary>
internal static class TestManifests
{
    private static readonly string Hash = new('0', 64);

    /// <summary>A stories260K-like model, per-channel scales.</summary>
    public static ArtifactManifest Stories260K => new()
    {
        ToolVersion = "0.1.0",
        Name = "stories260K",
        Architecture = new ArchitectureSection
        {
            ModelType = "llama", HiddenSize = 64, IntermediateSize = 172, NumLayers = 5, NumHeads = 8, NumKeyValueHeads = 4,
            VocabSize = 512, MaxSequenceLength = 512, RmsNormEps = 1e-5f, RopeTheta = 10000f, TiedEmbeddings = true,
        },
        // 64 and 172 do not fit the reference kernel's layout: the quantizer writes the natural one.
        Quantization = new QuantizationSection { Granularity = "per-channel", GroupSize = -1, Smoothing = "adaptive", Weights = "gptq", Layout = LinearLayouts.Natural },
        Tokenizer = new TokenizerSection { Kind = "llama2c", FileName = "tok512.bin", Sha256 = Hash },
        Calibration = new CalibrationSection
        {
            Files = [new CalibrationFile("tinystories-valid.txt", Hash)], Samples = 128, SequenceLength = 256, Seed = 0,
        },
        SourceSha256 = Hash,
        SettingsSha256 = Hash,
    };

    /// <summary>A llama-sotu-26m-like model, per-group scales with groups of 128.</summary>
    public static ArtifactManifest LlamaSotu26m => new()
    {
        ToolVersion = "0.1.0",
        Name = "llama-sotu-26m",
        Architecture = new ArchitectureSection
        {
            ModelType = "llama", HiddenSize = 384, IntermediateSize = 1024, NumLayers = 8, NumHeads = 6, NumKeyValueHeads = 6,
            VocabSize = 32000, MaxSequenceLength = 1024, RmsNormEps = 1e-5f, RopeTheta = 10000f, TiedEmbeddings = false,
        },
        Quantization = new QuantizationSection { Granularity = "per-group", GroupSize = 128, Smoothing = "adaptive", Weights = "gptq", Layout = LinearLayouts.Reference },
        Tokenizer = new TokenizerSection { Kind = "sentencepiece", FileName = "tokenizer.model", Sha256 = Hash },
        SourceSha256 = Hash,
        SettingsSha256 = Hash,
    };

    public static string Stories260KJson => Stories260K.ToJson();

    public static string LlamaSotu26mJson => LlamaSotu26m.ToJson();

    /// <summary>The manifest JSON after an edit of its DOM (remove or replace properties).</summary>
    public static string Edit(string json, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        edit(root);
        return root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The object at a dotted path such as "architecture" or "calibration.files.0".</summary>
    public static JsonObject At(JsonObject root, string path) =>
        path.Length == 0
            ? root
            : path.Split('.').Aggregate((JsonNode)root, (node, part) => int.TryParse(part, out var i) ? node[i]! : node[part]!).AsObject();
}
