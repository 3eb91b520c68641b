using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Formats.W4A8;
using QQQ.Quantization.Pipeline;

namespace QQQ.Quantization.Artifacts;

/// <summary>One decoder layer as an artifact stores it. Linears: full prefix (e.g. <c>model.layers.0.self_attn.q_proj</c>) to weights.</summary>
public sealed record ArtifactLayer(
    float[] InputNorm,
    float[] PostAttentionNorm,
    IReadOnlyList<(string Prefix, QuantizedWeights Weights)> Linears,
    IReadOnlyDictionary<string, float[]> Biases);

/// <summary>
/// Writes a QQQ artifact: one safetensors file (linears in the reference layout when the shapes allow it, fp16
/// embedding and lm_head, fp32 norms with smoothing folded in, the tokenizer's bytes) with the manifest in its
/// metadata, and the same manifest beside it as <c>&lt;file&gt;.json</c>. Both writes are atomic; the output is
/// byte-identical for identical inputs.
/// </summary>
public static class ArtifactWriter
{
    /// <summary>A freshly quantized model: grid scales become the kernel's scales here.</summary>
    public static void Write(string path, QuantizedModel model, ArtifactManifest manifest, byte[] tokenizer)
    {
        var granularity = Granularity.FromConfigGroupSize(manifest.Quantization.GroupSize);
        var layers = model.Layers.Select(layer => new ArtifactLayer(layer.InputNorm, layer.PostAttentionNorm,
            layer.Linears.Select(linear => (linear.Name,
                QuantizedWeights.FromGridScales(granularity, linear.Rows, linear.Columns, linear.Codes, ToHalf(linear.Scales)))).ToList(),
            layer.Biases)).ToList();
        Write(path, manifest, tokenizer, ToHalf(model.Embedding), model.FinalNorm, model.LmHead is null ? null : ToHalf(model.LmHead), layers);
    }

    /// <summary>Any model whose linears already are kernel weights (e.g. converted from a QQQ checkpoint).</summary>
    public static void Write(string path, ArtifactManifest manifest, byte[] tokenizer, Half[] embedding, float[] finalNorm, Half[]? lmHead,
        IReadOnlyList<ArtifactLayer> layers)
    {
        var config = manifest.Architecture.ToConfig();
        var writer = new SafetensorsWriter();
        writer.Metadata[ArtifactManifest.MetadataKey] = manifest.ToJson();
        writer.Add(ArtifactTensors.Tokenizer, [tokenizer.Length], (ReadOnlySpan<byte>)tokenizer);
        writer.Add(ArtifactTensors.Embedding, [config.VocabSize, config.HiddenSize], (ReadOnlySpan<Half>)embedding);
        writer.Add(ArtifactTensors.FinalNorm, [config.HiddenSize], (ReadOnlySpan<float>)finalNorm);
        if (lmHead is not null) writer.Add(ArtifactTensors.LmHead, [config.VocabSize, config.HiddenSize], (ReadOnlySpan<Half>)lmHead);
        for (int index = 0; index < layers.Count; index++)
        {
            var layer = layers[index];
            writer.Add(ArtifactTensors.InputNorm(index), [config.HiddenSize], (ReadOnlySpan<float>)layer.InputNorm);
            writer.Add(ArtifactTensors.PostAttentionNorm(index), [config.HiddenSize], (ReadOnlySpan<float>)layer.PostAttentionNorm);
            foreach (var (prefix, weights) in layer.Linears)
                LinearLayouts.Write(writer, prefix, weights, manifest.Quantization.Layout);
            foreach (var (name, bias) in layer.Biases)
                writer.Add(ArtifactTensors.Bias(index, name), [bias.Length], (ReadOnlySpan<float>)bias);
        }
        writer.Write(path);
        AtomicFile.Write(path + ".json", stream =>
        {
            using var text = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
            text.Write(manifest.ToJson().ReplaceLineEndings("\n"));
            text.Write('\n');
        });
    }

    static Half[] ToHalf(float[] values)
    {
        var result = new Half[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = (Half)values[i];
            if (!Half.IsFinite(result[i]) && float.IsFinite(values[i]))
                throw new ArgumentException($"value {values[i]} does not fit fp16");
        }
        return result;
    }
}
