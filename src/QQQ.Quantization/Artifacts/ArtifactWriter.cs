using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Formats.W4A8;
using QQQ.Quantization.Pipeline;

namespace QQQ.Quantization.Artifacts;

/// <summary>
/// Writes a <see cref="QuantizedModel"/> as a QQQ artifact: one safetensors file (linears in the reference
/// layout when the shapes allow it, fp16 embedding and lm_head, fp32 norms with smoothing folded in, the
/// tokenizer's bytes) with the manifest in its metadata, and the same manifest beside it as
/// <c>&lt;file&gt;.json</c>. Both writes are atomic; the output is byte-identical for identical inputs.
/// </summary>
public static class ArtifactWriter
{
    public static void Write(string path, QuantizedModel model, ArtifactManifest manifest, byte[] tokenizer)
    {
        var config = model.Config;
        var granularity = Granularity.FromConfigGroupSize(manifest.Quantization.GroupSize);
        var writer = new SafetensorsWriter();
        writer.Metadata[ArtifactManifest.MetadataKey] = manifest.ToJson();
        writer.Add(ArtifactTensors.Tokenizer, [tokenizer.Length], (ReadOnlySpan<byte>)tokenizer);
        writer.Add(ArtifactTensors.Embedding, [config.VocabSize, config.HiddenSize], ToHalf(model.Embedding));
        writer.Add(ArtifactTensors.FinalNorm, [config.HiddenSize], (ReadOnlySpan<float>)model.FinalNorm);
        if (model.LmHead is not null) writer.Add(ArtifactTensors.LmHead, [config.VocabSize, config.HiddenSize], ToHalf(model.LmHead));
        for (int index = 0; index < model.Layers.Count; index++)
        {
            var layer = model.Layers[index];
            writer.Add(ArtifactTensors.InputNorm(index), [config.HiddenSize], (ReadOnlySpan<float>)layer.InputNorm);
            writer.Add(ArtifactTensors.PostAttentionNorm(index), [config.HiddenSize], (ReadOnlySpan<float>)layer.PostAttentionNorm);
            foreach (var linear in layer.Linears)
            {
                var weights = QuantizedWeights.FromGridScales(granularity, linear.Rows, linear.Columns, linear.Codes, ToHalf(linear.Scales));
                LinearLayouts.Write(writer, linear.Name, weights, manifest.Quantization.Layout);
            }
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
