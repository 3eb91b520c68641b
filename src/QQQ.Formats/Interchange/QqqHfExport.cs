using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using QQQ.Formats.Artifacts;
using QQQ.Formats.W4A8;

namespace QQQ.Formats.Interchange;

/// <summary>
/// Writes an artifact as a Hugging Face QQQ checkpoint folder (see <see cref="QqqHfFormat"/>): config.json,
/// model.safetensors and the artifact's embedded tokenizer file. The packed linears are re-packed from the artifact's
/// codes and scales with <see cref="ReferenceLayout.Pack"/>, the exact inverse of what the artifact reader unpacked, so
/// they are bit for bit what the artifact holds. Norms, stored as float32 in the artifact, become fp16 as the format
/// requires: the one lossy step.
/// </summary>
public static class QqqHfExport
{
    public static void Write(ArtifactFile artifact, string folder)
    {
        var config = artifact.Config;
        if (QqqHfFormat.Blocker(config, artifact.Granularity) is { } blocker)
            throw new ModelFormatException(artifact.Path, $"cannot export as a QQQ checkpoint: {blocker}; keep using the .qqq artifact");
        Directory.CreateDirectory(folder);

        var writer = new SafetensorsWriter();
        writer.Metadata["format"] = "pt";
        writer.Metadata[QqqHfFormat.ExportedFromKey] = artifact.Manifest.ToJson();
        writer.Add(ArtifactTensors.Embedding, [config.VocabSize, config.HiddenSize], (ReadOnlySpan<Half>)artifact.ReadHalf(ArtifactTensors.Embedding));
        if (!config.TiedEmbeddings)
            writer.Add(ArtifactTensors.LmHead, [config.VocabSize, config.HiddenSize], (ReadOnlySpan<Half>)artifact.ReadHalf(ArtifactTensors.LmHead));
        AddHalf(writer, artifact, ArtifactTensors.FinalNorm);
        for (int layer = 0; layer < config.NumLayers; layer++)
        {
            AddHalf(writer, artifact, ArtifactTensors.InputNorm(layer));
            AddHalf(writer, artifact, ArtifactTensors.PostAttentionNorm(layer));
            foreach (var (name, n, k) in ArtifactTensors.Linears(config))
            {
                string prefix = ArtifactTensors.Linear(layer, name);
                var packed = ReferenceLayout.Pack(artifact.ReadLinear(layer, name));
                writer.Add(prefix + ".B", [k / 16, 2 * n], packed.B);
                writer.Add(prefix + ".s_channel", [1, n], packed.ChannelScales);
                if (packed.GroupScales.Length > 0) writer.Add(prefix + ".s_group", [k / ReferenceLayout.GroupSize, n], packed.GroupScales);
                else writer.Add(prefix + ".s_group", [0], ReadOnlySpan<Half>.Empty);
                if (artifact.Contains(ArtifactTensors.Bias(layer, name))) AddHalf(writer, artifact, ArtifactTensors.Bias(layer, name));
            }
        }
        writer.Write(Path.Combine(folder, QqqHfFormat.ModelFileName));
        WriteConfig(Path.Combine(folder, "config.json"), config, artifact.Granularity);
        var tokenizerName = Path.GetFileName(artifact.Manifest.Tokenizer.FileName);
        AtomicFile.Write(Path.Combine(folder, tokenizerName), stream => stream.Write(artifact.ReadTokenizerBytes()));
    }

    static void AddHalf(SafetensorsWriter writer, ArtifactFile artifact, string name)
    {
        var values = artifact.ReadFloat32(name);
        var half = new Half[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            half[i] = (Half)values[i];
            if (!Half.IsFinite(half[i])) throw new ModelFormatException(artifact.Path, $"{name}[{i}] = {values[i]} does not fit fp16");
        }
        writer.Add(name, [values.Length], (ReadOnlySpan<Half>)half);
    }

    static void WriteConfig(string path, ModelConfig c, Granularity granularity)
    {
        // float fields as their shortest round-trip text (1e-05, not 9.999999747378752e-06).
        static JsonNode Number(float value) => JsonValue.Create(double.Parse(value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        var json = new JsonObject
        {
            ["architectures"] = new JsonArray(QqqHfFormat.ArchitectureName(c.ModelType)),
            ["model_type"] = c.ModelType,
            ["hidden_size"] = c.HiddenSize,
            ["intermediate_size"] = c.IntermediateSize,
            ["num_hidden_layers"] = c.NumLayers,
            ["num_attention_heads"] = c.NumHeads,
            ["num_key_value_heads"] = c.NumKeyValueHeads,
            ["head_dim"] = c.HeadDim,
            ["vocab_size"] = c.VocabSize,
            ["max_position_embeddings"] = c.MaxSequenceLength,
            ["rms_norm_eps"] = Number(c.RmsNormEps),
            ["rope_theta"] = Number(c.RopeTheta),
            ["hidden_act"] = "silu",
            ["tie_word_embeddings"] = c.TiedEmbeddings,
            ["bos_token_id"] = c.BosTokenId,
            ["eos_token_id"] = c.EosTokenId,
            ["torch_dtype"] = "float16",
            ["quantization_config"] = new JsonObject
            {
                ["quant_method"] = QqqHfFormat.QuantMethod,
                ["wbits"] = 4,
                ["group_size"] = granularity.ConfigGroupSize,
            },
        };
        // llama's attention_bias would add an o_proj bias too; only qwen2 has (q/k/v) biases, implied by its type.
        if (c.ModelType != "qwen2") json["attention_bias"] = false;
        if (c.ModelType == "mistral") json["sliding_window"] = null;
        var text = json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).ReplaceLineEndings("\n") + "\n";
        AtomicFile.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text)));
    }
}
