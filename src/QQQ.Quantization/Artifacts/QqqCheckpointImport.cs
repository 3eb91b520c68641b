using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Formats.Interchange;

namespace QQQ.Quantization.Artifacts;

/// <summary>
/// Converts a Hugging Face QQQ checkpoint into an artifact without re-quantizing: the packed linears are unpacked to
/// codes and kernel scales (<see cref="W4A8.ReferenceLayout"/>'s exact inverse), the other tensors copied (embedding and
/// lm_head as fp16, norms and biases widened to float32).
/// </summary>
public static class QqqCheckpointImport
{
    public static void Write(QqqHfCheckpoint checkpoint, string path, ArtifactManifest manifest, byte[] tokenizer, CancellationToken cancellation = default)
    {
        var c = checkpoint.Config;
        var layers = new List<ArtifactLayer>();
        for (int layer = 0; layer < c.NumLayers; layer++)
        {
            cancellation.ThrowIfCancellationRequested();
            var linears = ArtifactTensors.Linears(c)
                .Select(l => (ArtifactTensors.Linear(layer, l.Name), checkpoint.ReadLinear(layer, l.Name))).ToList();
            var biases = new Dictionary<string, float[]>(StringComparer.Ordinal);
            foreach (var (name, _, _) in ArtifactTensors.Linears(c))
                if (checkpoint.Contains(ArtifactTensors.Bias(layer, name))) biases[name] = Finite(checkpoint, ArtifactTensors.Bias(layer, name));
            layers.Add(new ArtifactLayer(Finite(checkpoint, ArtifactTensors.InputNorm(layer)), Finite(checkpoint, ArtifactTensors.PostAttentionNorm(layer)),
                linears, biases));
        }
        var lmHead = c.TiedEmbeddings ? null : Half16(checkpoint, ArtifactTensors.LmHead);
        ArtifactWriter.Write(path, manifest, tokenizer, Half16(checkpoint, ArtifactTensors.Embedding),
            Finite(checkpoint, ArtifactTensors.FinalNorm), lmHead, layers);
    }

    static float[] Finite(QqqHfCheckpoint checkpoint, string name)
    {
        var values = checkpoint.ReadFloat32(name);
        if (!values.All(float.IsFinite)) throw new ModelFormatException(checkpoint.SourcePath, $"tensor {name} contains NaN or infinite values");
        return values;
    }

    static Half[] Half16(QqqHfCheckpoint checkpoint, string name)
    {
        var values = Finite(checkpoint, name);
        var result = new Half[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = (Half)values[i];
            if (!Half.IsFinite(result[i])) throw new ModelFormatException(checkpoint.SourcePath, $"tensor {name} has values beyond the fp16 range");
        }
        return result;
    }
}
