using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Formats.W4A8;
using QQQ.Quantization.Artifacts;
using QQQ.Quantization.Pipeline;

namespace QQQ.Runtime.Tests.Model;

/// <summary>Writes quantized models as artifacts with the manifest fields the runtime reads (hashes are placeholders).</summary>
static class TestArtifacts
{
    public static void Write(string path, QuantizedModel model, string name, string tokenizerPath)
    {
        var config = model.Config;
        var granularity = Granularity.FromConfigGroupSize(model.Settings.PerGroup ? model.Settings.GroupSize : -1);
        var manifest = new ArtifactManifest
        {
            ToolVersion = "test",
            Name = name,
            Architecture = ArchitectureSection.From(config),
            Quantization = new QuantizationSection
            {
                Granularity = model.Settings.PerGroup ? QuantizationSection.PerGroup : QuantizationSection.PerChannel,
                GroupSize = granularity.ConfigGroupSize,
                Smoothing = model.Settings.Smoothing == SmoothingMode.Adaptive ? "adaptive" : "none",
                Weights = model.Settings.Weights == WeightMethod.Gptq ? "gptq" : "rtn",
                Layout = LinearLayouts.Choose(config, granularity),
            },
            Tokenizer = new TokenizerSection { Kind = "llama2c", FileName = Path.GetFileName(tokenizerPath), Sha256 = "test" },
            SourceSha256 = "test",
            SettingsSha256 = "test",
        };
        ArtifactWriter.Write(path, model, manifest, File.ReadAllBytes(tokenizerPath));
    }

    /// <summary>A copy of <paramref name="source"/> whose manifest says <paramref name="formatVersion"/>; tensors are unchanged.</summary>
    public static void WithFormatVersion(string source, string target, int formatVersion)
    {
        using var file = SafetensorsFile.Open(source);
        var writer = new SafetensorsWriter();
        foreach (var (key, value) in file.Metadata) writer.Metadata[key] = value;
        var manifest = ArtifactManifest.Parse(file.Metadata[ArtifactManifest.MetadataKey], source) with { FormatVersion = formatVersion };
        writer.Metadata[ArtifactManifest.MetadataKey] = manifest.ToJson();
        foreach (var tensor in file.Tensors)
            writer.Add(tensor.Name, tensor.DType, tensor.ShapeArray(), file.GetBytes(tensor.Name));
        writer.Write(target);
    }
}
