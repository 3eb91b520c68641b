using System.Text.Json;
using QQQ.Formats.Artifacts;
using QQQ.Formats.W4A8;

namespace QQQ.Formats.Interchange;

/// <summary>
/// A Hugging Face QQQ checkpoint folder (see <see cref="QqqHfFormat"/>) opened for reading. Opening validates the
/// quantization_config and the presence, dtype and shape of every tensor the config calls for, and refuses tensors
/// it does not describe; linears are read back to natural order with <see cref="ReferenceLayout.Unpack"/>.
/// </summary>
public sealed class QqqHfCheckpoint : IDisposable
{
    const long MaxConfigBytes = 16 << 20;

    readonly HuggingFaceWeightFiles weights;

    QqqHfCheckpoint(string folder, ModelConfig config, Granularity granularity, HuggingFaceWeightFiles weights)
    {
        SourcePath = folder;
        Config = config;
        Granularity = granularity;
        this.weights = weights;
    }

    public string SourcePath { get; }
    public ModelConfig Config { get; }
    public Granularity Granularity { get; }

    /// <summary>True when <paramref name="path"/> is a folder whose config.json says <c>quantization_config.quant_method == "qqq"</c>.</summary>
    public static bool IsQqqCheckpoint(string path)
    {
        var configPath = Path.Combine(path, HuggingFaceCheckpoint.ConfigFileName);
        if (!Directory.Exists(path) || !File.Exists(configPath)) return false;
        var root = JsonFile.ReadObject(configPath, MaxConfigBytes);
        return root.TryGetProperty("quantization_config", out var quantization) && quantization.ValueKind == JsonValueKind.Object
            && quantization.TryGetProperty("quant_method", out var method) && method.ValueKind == JsonValueKind.String
            && method.GetString() == QqqHfFormat.QuantMethod;
    }

    public static QqqHfCheckpoint Open(string folder)
    {
        var configPath = Path.Combine(folder, HuggingFaceCheckpoint.ConfigFileName);
        if (!File.Exists(configPath)) throw new ModelFormatException(folder, $"no {HuggingFaceCheckpoint.ConfigFileName} in this folder");
        var config = HuggingFaceConfig.Read(configPath);
        var granularity = ReadQuantizationConfig(configPath);
        if (QqqHfFormat.Blocker(config, granularity) is { } blocker) throw new ModelFormatException(configPath, blocker);
        var weights = HuggingFaceWeightFiles.Open(folder);
        try
        {
            var checkpoint = new QqqHfCheckpoint(folder, config, granularity, weights);
            checkpoint.Validate();
            return checkpoint;
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    static Granularity ReadQuantizationConfig(string configPath)
    {
        var fields = new ConfigFields(configPath, JsonFile.ReadObject(configPath, MaxConfigBytes));
        var quantization = fields.OptionalObject("quantization_config") ?? throw fields.Fail("no quantization_config: not a QQQ checkpoint");
        string method = quantization.RequiredString("quant_method");
        if (method != QqqHfFormat.QuantMethod) throw fields.Fail($"quantization_config.quant_method is {MessageText.Quote(method)}, not 'qqq'");
        double bits = quantization.RequiredNumber("wbits");
        if (bits != 4) throw fields.Fail($"quantization_config.wbits {bits} is not supported (4 only)");
        double groupSize = quantization.RequiredNumber("group_size");
        return groupSize switch
        {
            -1 => Granularity.PerChannel,
            ReferenceLayout.GroupSize => Granularity.PerGroup(ReferenceLayout.GroupSize),
            _ => throw fields.Fail($"quantization_config.group_size {groupSize} is not supported (-1 or {ReferenceLayout.GroupSize})"),
        };
    }

    /// <summary>The manifest of the artifact this checkpoint was exported from, when it was written by <see cref="QqqHfExport"/>.</summary>
    public ArtifactManifest? ExportedFrom()
    {
        var file = weights.ByTensor[ArtifactTensors.Embedding];
        return file.Metadata.TryGetValue(QqqHfFormat.ExportedFromKey, out var json) ? ArtifactManifest.Parse(json, file.Path) : null;
    }

    public bool Contains(string name) => weights.ByTensor.ContainsKey(name);

    /// <summary>A floating-point tensor as float32.</summary>
    public float[] ReadFloat32(string name) => weights.ByTensor[name].ReadFloat32(name);

    /// <summary>A quantized linear of a layer in natural order, e.g. (0, "self_attn.q_proj").</summary>
    public QuantizedWeights ReadLinear(int layer, string linear)
    {
        var (_, n, k) = ArtifactTensors.Linears(Config).Single(l => l.Name == linear);
        string prefix = ArtifactTensors.Linear(layer, linear);
        var b = LinearLayouts.Typed<int>(FileOf(prefix + ".B"), prefix + ".B", SafetensorsDType.I32, [k / 16, 2 * n]);
        var channel = LinearLayouts.Typed<float>(FileOf(prefix + ".s_channel"), prefix + ".s_channel", SafetensorsDType.F32, [1, n]);
        var group = Granularity is PerGroupGranularity
            ? LinearLayouts.Typed<Half>(FileOf(prefix + ".s_group"), prefix + ".s_group", SafetensorsDType.F16, [k / ReferenceLayout.GroupSize, n])
            : [];
        try
        {
            return ReferenceLayout.Unpack(new ReferencePackedWeights(n, k, b, channel, group));
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(FileOf(prefix + ".B").Path, $"{prefix}: {e.Message}");
        }
    }

    SafetensorsFile FileOf(string name) => weights.ByTensor[name];

    void Validate()
    {
        var c = Config;
        var expected = new Dictionary<string, (SafetensorsDType? DType, int[] Shape)>(StringComparer.Ordinal)
        {
            [ArtifactTensors.Embedding] = (null, [c.VocabSize, c.HiddenSize]),
            [ArtifactTensors.FinalNorm] = (null, [c.HiddenSize]),
        };
        if (!c.TiedEmbeddings) expected[ArtifactTensors.LmHead] = (null, [c.VocabSize, c.HiddenSize]);
        for (int layer = 0; layer < c.NumLayers; layer++)
        {
            expected[ArtifactTensors.InputNorm(layer)] = (null, [c.HiddenSize]);
            expected[ArtifactTensors.PostAttentionNorm(layer)] = (null, [c.HiddenSize]);
            foreach (var (name, n, k) in ArtifactTensors.Linears(c))
            {
                string prefix = ArtifactTensors.Linear(layer, name);
                expected[prefix + ".B"] = (SafetensorsDType.I32, [k / 16, 2 * n]);
                expected[prefix + ".s_channel"] = (SafetensorsDType.F32, [1, n]);
                if (Granularity is PerGroupGranularity) expected[prefix + ".s_group"] = (SafetensorsDType.F16, [k / ReferenceLayout.GroupSize, n]);
            }
            if (c.AttentionBias)
                foreach (var (name, n, _) in ArtifactTensors.Linears(c).Take(3))
                    expected[ArtifactTensors.Bias(layer, name)] = (null, [n]);
        }

        var present = weights.ByTensor;
        var missing = expected.Keys.Where(name => !present.ContainsKey(name)).ToList();
        if (missing.Count > 0) throw new ModelFormatException(weights.DescribedBy, $"missing {missing.Count} tensor(s) of a QQQ checkpoint: {MessageText.List(missing)}");
        foreach (var (name, (dtype, shape)) in expected)
        {
            var info = present[name].GetInfo(name);
            bool dtypeOk = dtype is { } required ? info.DType == required : info.DType.IsFloatingPoint();
            if (!dtypeOk || !info.Shape.SequenceEqual(shape))
                throw new ModelFormatException(present[name].Path,
                    $"tensor {MessageText.Quote(name)} is {info.DType.HeaderName()} {MessageText.Shape(info.Shape)}, expected {dtype?.HeaderName() ?? "a float type"} {MessageText.Shape(shape)}");
        }
        var unexpected = present.Keys.Where(name => !expected.ContainsKey(name) && !IsIgnorable(name, present[name])).Order(StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0)
            throw new ModelFormatException(weights.DescribedBy, $"{unexpected.Count} tensor(s) that a QQQ checkpoint of this config does not have: {MessageText.List(unexpected.Select(MessageText.Quote).ToList())}");
    }

    /// <summary>
    /// Tensors without weights: the per-channel <c>s_group</c> placeholder (empty, as the reference registers it),
    /// RoPE frequency buffers, and an lm_head stored although the config ties it to the embedding.
    /// </summary>
    bool IsIgnorable(string name, SafetensorsFile file) =>
        (name.EndsWith(".s_group", StringComparison.Ordinal) && Granularity is PerChannelGranularity && file.GetInfo(name).ElementCount == 0)
        || name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal)
        || (Config.TiedEmbeddings && name == ArtifactTensors.LmHead);

    public void Dispose() => weights.Dispose();
}
