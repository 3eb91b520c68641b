using System.Text.Json.Nodes;
using QQQ.Formats;

namespace QQQ.Quantization.Dev;

/// <summary>One channel of one RMSNorm that was scaled up: its weight times Factor, the columns that read it divided by Factor.</summary>
public sealed record InjectedOutlier(string Norm, int Channel, float Factor);

/// <summary>
/// Makes an "outlier-injected" copy of a Hugging Face LLaMA folder: for each decoder layer's two RMSNorms, a few
/// channels (chosen by the seed) have their weight scaled up by a factor in [MinFactor, MaxFactor] and the matching
/// input columns of the linears that read that norm's output (q, k, v after input_layernorm; gate, up after
/// post_attention_layernorm) divided by the same factor. Each linear sees <c>W[:, j] / f · (g_j · f · x̂_j)</c>, so the
/// FP32 function is unchanged, while the activations entering those linears get the few huge channels that real
/// LLaMA models show, which per-token int8 quantization handles badly and adaptive smoothing is meant to fix.
/// Written in float32 so that the scaling itself loses nothing.
/// </summary>
public sealed class OutlierInjection
{
    public int ChannelsPerNorm { get; init; } = 4;
    public float MinFactor { get; init; } = 30f;
    public float MaxFactor { get; init; } = 100f;
    public int Seed { get; init; }

    static readonly (string Norm, string[] Readers)[] NormReaders =
    [
        (CanonicalTensors.InputNorm, [CanonicalTensors.QProj, CanonicalTensors.KProj, CanonicalTensors.VProj]),
        (CanonicalTensors.PostAttentionNorm, [CanonicalTensors.GateProj, CanonicalTensors.UpProj]),
    ];

    /// <summary>Tokenizer and generation files copied along (with any llama2.c <c>tok*.bin</c>), so the new folder runs like the source one.</summary>
    static readonly string[] CompanionFiles = ["tokenizer.model", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json"];

    /// <summary>Writes the modified model to <paramref name="outputFolder"/> (created if needed) and returns what was changed.</summary>
    public IReadOnlyList<InjectedOutlier> Write(string sourceFolder, string outputFolder)
    {
        if (ChannelsPerNorm <= 0) throw new ArgumentOutOfRangeException(nameof(ChannelsPerNorm), "at least one channel per norm");
        if (!(MinFactor >= 1 && MaxFactor >= MinFactor)) throw new ArgumentOutOfRangeException(nameof(MinFactor), "factors must satisfy 1 <= min <= max");
        if (!Directory.Exists(sourceFolder) || !File.Exists(Path.Combine(sourceFolder, HuggingFaceCheckpoint.ConfigFileName)))
            throw new ModelFormatException(sourceFolder, "outlier injection needs a Hugging Face folder with config.json");
        using var checkpoint = HuggingFaceCheckpoint.Open(sourceFolder);
        var config = checkpoint.Config;
        if (ChannelsPerNorm > config.HiddenSize)
            throw new ArgumentOutOfRangeException(nameof(ChannelsPerNorm), $"the model has only {config.HiddenSize} channels");

        var values = checkpoint.TensorNames.ToDictionary(n => n, checkpoint.ReadTensor, StringComparer.Ordinal);
        var random = new Random(Seed);
        var injected = new List<InjectedOutlier>();
        for (int layer = 0; layer < config.NumLayers; layer++)
            foreach (var (norm, readers) in NormReaders)
            {
                string normName = CanonicalTensors.Layer(layer, norm);
                foreach (int channel in PickChannels(random, config.HiddenSize))
                {
                    float factor = MinFactor + (float)random.NextDouble() * (MaxFactor - MinFactor);
                    values[normName][channel] *= factor;
                    foreach (var reader in readers)
                        DivideColumn(values[CanonicalTensors.Layer(layer, reader)], config.HiddenSize, channel, factor);
                    injected.Add(new InjectedOutlier(normName, channel, factor));
                }
            }

        Directory.CreateDirectory(outputFolder);
        var writer = new SafetensorsWriter();
        writer.Metadata["format"] = "pt";
        foreach (var (name, data) in values) writer.Add<float>(name, checkpoint.GetShape(name), data);
        writer.Write(Path.Combine(outputFolder, "model.safetensors"));
        WriteConfig(Path.Combine(sourceFolder, HuggingFaceCheckpoint.ConfigFileName), Path.Combine(outputFolder, HuggingFaceCheckpoint.ConfigFileName));
        var companions = CompanionFiles.Select(f => Path.Combine(sourceFolder, f)).Where(File.Exists)
            .Concat(Directory.GetFiles(sourceFolder, "tok*.bin"));
        foreach (var file in companions)
            File.Copy(file, Path.Combine(outputFolder, Path.GetFileName(file)), overwrite: true);
        return injected;
    }

    /// <summary>Distinct channels, drawn one at a time so the choice depends only on the seed.</summary>
    int[] PickChannels(Random random, int hidden)
    {
        var chosen = new SortedSet<int>();
        while (chosen.Count < ChannelsPerNorm) chosen.Add(random.Next(hidden));
        return [.. chosen];
    }

    /// <summary>weight: (rows, columns) row-major; column j divided by factor.</summary>
    static void DivideColumn(float[] weight, int columns, int column, float factor)
    {
        for (int index = column; index < weight.Length; index += columns) weight[index] /= factor;
    }

    /// <summary>The source config with the dtype fields saying float32, as the weights now are.</summary>
    static void WriteConfig(string source, string destination)
    {
        var config = JsonNode.Parse(File.ReadAllText(source))!.AsObject();
        foreach (var key in new[] { "torch_dtype", "dtype" })
            if (config.ContainsKey(key)) config[key] = "float32";
        File.WriteAllText(destination, config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
