using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using QQQ.Formats.Artifacts;

namespace QQQ.Formats.Tests.Artifacts;

/// <summary>
/// The manifest JSON is a file format other tools read (the source generator, build tasks, users): it must hold only
/// the documented snake_case keys, never a computed C# property that happens to be public.
/// </summary>
public sealed class ArtifactManifestJsonTests
{
    static ArtifactManifest Manifest(string granularity, int groupSize) => new()
    {
        ToolVersion = "0.1.0",
        Name = "tiny",
        Architecture = new ArchitectureSection
        {
            ModelType = "llama", HiddenSize = 256, IntermediateSize = 512, NumLayers = 2, NumHeads = 4, NumKeyValueHeads = 2,
            VocabSize = 512, MaxSequenceLength = 256, RmsNormEps = 1e-5f, RopeTheta = 10000f, TiedEmbeddings = false,
        },
        Quantization = new QuantizationSection
        {
            Granularity = granularity, GroupSize = groupSize, Smoothing = "adaptive", Weights = "gptq", Layout = LinearLayouts.Natural,
        },
        Tokenizer = new TokenizerSection { Kind = "llama2c", FileName = "tok512.bin", Sha256 = new string('a', 64) },
        Calibration = new CalibrationSection
        {
            Files = [new CalibrationFile("calibration.txt", new string('b', 64))], Samples = 16, SequenceLength = 128, Seed = 3,
        },
        SourceSha256 = new string('c', 64),
        SettingsSha256 = new string('d', 64),
    };

    static IEnumerable<string> Keys(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Keys(p.Value).Prepend(p.Key)),
        JsonArray a => a.SelectMany(Keys),
        _ => [],
    };

    [Theory]
    [InlineData(QuantizationSection.PerChannel, -1)]
    [InlineData(QuantizationSection.PerGroup, 128)]
    public void Holds_only_snake_case_keys_and_parses_back(string granularity, int groupSize)
    {
        string json = Manifest(granularity, groupSize).ToJson();

        var keys = Keys(JsonNode.Parse(json)).ToList();
        Assert.All(keys, key => Assert.Matches(new Regex("^[a-z0-9_]+$"), key));
        Assert.Equal(
            ["method", "wbits", "abits", "granularity", "group_size", "smoothing", "weights", "layout"],
            JsonNode.Parse(json)!["quantization"]!.AsObject().Select(p => p.Key));

        var parsed = ArtifactManifest.Parse(json, "tiny.qqq.json");
        Assert.Equal(json, parsed.ToJson());
    }
}
