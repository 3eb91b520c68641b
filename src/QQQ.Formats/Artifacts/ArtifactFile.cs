using QQQ.Formats.W4A8;

namespace QQQ.Formats.Artifacts;

/// <summary>
/// A QQQ artifact opened for reading: a safetensors file (memory-mapped) whose metadata holds the
/// manifest. Opening validates the manifest and the presence, dtype and shape of every tensor, so a
/// truncated or foreign file fails here with a clear message rather than later inside a kernel.
/// </summary>
public sealed class ArtifactFile : IDisposable
{
    readonly SafetensorsFile _file;

    ArtifactFile(SafetensorsFile file, ArtifactManifest manifest)
    {
        _file = file;
        Manifest = manifest;
        Config = manifest.Architecture.ToConfig();
        Granularity = Granularity.FromConfigGroupSize(manifest.Quantization.GroupSize);
    }

    public string Path => _file.Path;
    public ArtifactManifest Manifest { get; }
    public ModelConfig Config { get; }
    public Granularity Granularity { get; }

    public static ArtifactFile Open(string path)
    {
        var file = SafetensorsFile.Open(path);
        try
        {
            if (!file.Metadata.TryGetValue(ArtifactManifest.MetadataKey, out var json))
                throw new ModelFormatException(path, "not a QQQ artifact (no manifest in the safetensors metadata)");
            var artifact = new ArtifactFile(file, ArtifactManifest.Parse(json, path));
            artifact.ValidateTensors();
            return artifact;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>A quantized linear of a layer in natural order, e.g. (0, "self_attn.q_proj").</summary>
    public QuantizedWeights ReadLinear(int layer, string linear)
    {
        var (_, n, k) = ArtifactTensors.Linears(Config).Single(l => l.Name == linear);
        return LinearLayouts.Read(_file, ArtifactTensors.Linear(layer, linear), Manifest.Quantization.Layout, Granularity, n, k);
    }

    public bool Contains(string name) => _file.Contains(name);

    /// <summary>An F16 or F32 tensor as float32.</summary>
    public float[] ReadFloat32(string name) => _file.ReadFloat32(name);

    /// <summary>An F16 tensor's values.</summary>
    public Half[] ReadHalf(string name) =>
        LinearLayouts.Typed<Half>(_file, name, SafetensorsDType.F16, _file.GetInfo(name).ShapeArray());

    public byte[] ReadTokenizerBytes() => _file.GetBytes(ArtifactTensors.Tokenizer).ToArray();

    void ValidateTensors()
    {
        var c = Config;
        void Expect(string name, SafetensorsDType dtype, params int[] shape)
        {
            if (!_file.TryGetInfo(name, out var info)) throw new ModelFormatException(Path, $"tensor {name} is missing");
            if (info.DType != dtype || !info.Shape.SequenceEqual(shape))
                throw new ModelFormatException(Path,
                    $"tensor {name} is {info.DType.HeaderName()} ({string.Join(", ", info.Shape)}), expected {dtype.HeaderName()} ({string.Join(", ", shape)})");
        }
        if (!_file.TryGetInfo(ArtifactTensors.Tokenizer, out var tokenizer) || tokenizer.DType != SafetensorsDType.U8 || tokenizer.Shape.Count != 1)
            throw new ModelFormatException(Path, "the embedded tokenizer is missing or malformed");
        Expect(ArtifactTensors.Embedding, SafetensorsDType.F16, c.VocabSize, c.HiddenSize);
        Expect(ArtifactTensors.FinalNorm, SafetensorsDType.F32, c.HiddenSize);
        if (!c.TiedEmbeddings) Expect(ArtifactTensors.LmHead, SafetensorsDType.F16, c.VocabSize, c.HiddenSize);
        for (int layer = 0; layer < c.NumLayers; layer++)
        {
            Expect(ArtifactTensors.InputNorm(layer), SafetensorsDType.F32, c.HiddenSize);
            Expect(ArtifactTensors.PostAttentionNorm(layer), SafetensorsDType.F32, c.HiddenSize);
            foreach (var (name, n, k) in ArtifactTensors.Linears(c))
            {
                string prefix = ArtifactTensors.Linear(layer, name);
                if (Manifest.Quantization.Layout == LinearLayouts.Reference)
                    Expect(prefix + ".B", SafetensorsDType.I32, k / 16, 2 * n);
                else
                    Expect(prefix + ".codes", SafetensorsDType.U8, n, k / 2);
            }
            if (c.AttentionBias)
                foreach (var (name, n, _) in ArtifactTensors.Linears(c).Take(3))
                    Expect(ArtifactTensors.Bias(layer, name), SafetensorsDType.F32, n);
        }
    }

    public void Dispose() => _file.Dispose();
}
