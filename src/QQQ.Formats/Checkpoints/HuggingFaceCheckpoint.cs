namespace QQQ.Formats;

/// <summary>
/// A Hugging Face LLaMA-family folder: <c>config.json</c> plus <c>model.safetensors</c> or sharded
/// safetensors with <c>model.safetensors.index.json</c>. On open, every tensor the config calls for
/// must be present with the shape the config implies and a floating-point dtype; tensors the config
/// does not describe are refused, so no weight is silently dropped.
/// </summary>
public sealed class HuggingFaceCheckpoint : ICheckpoint
{
    /// <summary>Name of the config file in the folder.</summary>
    public const string ConfigFileName = "config.json";

    readonly HuggingFaceWeightFiles weights;
    readonly Dictionary<string, int[]> shapes;

    HuggingFaceCheckpoint(string folder, ModelConfig config, HuggingFaceWeightFiles weights, IReadOnlyList<CanonicalTensor> expected)
    {
        SourcePath = folder;
        Config = config;
        this.weights = weights;
        shapes = expected.ToDictionary(t => t.Name, t => t.Shape, StringComparer.Ordinal);
        TensorNames = expected.Select(t => t.Name).ToArray();
    }

    /// <inheritdoc/>
    public string SourcePath { get; }

    /// <inheritdoc/>
    public ModelConfig Config { get; }

    /// <summary>Canonical names in module order; <c>lm_head.weight</c> is absent when tied.</summary>
    public IReadOnlyCollection<string> TensorNames { get; }

    /// <summary>Opens and validates the folder; any defect throws <see cref="ModelFormatException"/>.</summary>
    public static HuggingFaceCheckpoint Open(string folder)
    {
        if (!Directory.Exists(folder)) throw new ModelFormatException(folder, "folder not found");
        var configPath = Path.Combine(folder, ConfigFileName);
        if (!File.Exists(configPath)) throw new ModelFormatException(folder, $"no {ConfigFileName} in this folder");
        var config = HuggingFaceConfig.Read(configPath);
        var weights = HuggingFaceWeightFiles.Open(folder);
        try
        {
            // Each layer needs several tensors: an absurd layer count is refused before it sizes the expected list.
            if (config.NumLayers > weights.ByTensor.Count)
                throw new ModelFormatException(weights.DescribedBy,
                    $"{ConfigFileName} says num_hidden_layers {config.NumLayers}, but the files hold only {weights.ByTensor.Count} tensors");
            var expected = CanonicalTensors.For(config);
            CheckTensors(config, weights, expected);
            return new HuggingFaceCheckpoint(folder, config, weights, expected);
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    static void CheckTensors(ModelConfig config, HuggingFaceWeightFiles weights, IReadOnlyList<CanonicalTensor> expected)
    {
        var present = weights.ByTensor;
        var missing = expected.Where(t => !present.ContainsKey(t.Name)).Select(t => t.Name).ToList();
        if (missing.Count > 0)
        {
            var hint = missing.Contains(CanonicalTensors.LmHead) ? $" ({ConfigFileName} has tie_word_embeddings false)" : "";
            throw new ModelFormatException(weights.DescribedBy, $"missing {missing.Count} tensor(s) that {ConfigFileName} calls for: {MessageText.List(missing)}{hint}");
        }

        var wrongShapes = new List<string>();
        string? wrongShapeFile = null;
        foreach (var tensor in expected)
        {
            var file = present[tensor.Name];
            var info = file.GetInfo(tensor.Name);
            if (!info.DType.IsFloatingPoint())
                throw new ModelFormatException(file.Path, $"tensor {MessageText.Quote(tensor.Name)} has dtype {info.DType.HeaderName()}; weights must be F16, BF16, F32 or F64");
            if (!info.Shape.SequenceEqual(tensor.Shape))
            {
                wrongShapes.Add($"{MessageText.Quote(tensor.Name)} is {MessageText.Shape(info.Shape)}, expected {MessageText.Shape(tensor.Shape)}");
                wrongShapeFile ??= file.Path;
            }
        }
        if (wrongShapeFile != null)
            throw new ModelFormatException(wrongShapeFile, $"tensor shapes disagree with {ConfigFileName}: {MessageText.List(wrongShapes, 3, "; ")}");

        var expectedNames = expected.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var unexpected = present.Keys.Where(name => !expectedNames.Contains(name) && !IsIgnorable(name, config)).Order(StringComparer.Ordinal).ToList();
        if (unexpected.Count > 0)
            throw new ModelFormatException(weights.DescribedBy, $"{unexpected.Count} tensor(s) that {ConfigFileName} does not describe: {MessageText.List(unexpected.Select(MessageText.Quote).ToList())}");
    }

    /// <summary>
    /// Stored tensors that carry no weights of their own: RoPE frequency buffers of older exports, and
    /// an lm_head that transformers replaces by the embedding when the config says the two are tied.
    /// </summary>
    static bool IsIgnorable(string name, ModelConfig config) =>
        name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal) || (config.TiedEmbeddings && name == CanonicalTensors.LmHead);

    /// <inheritdoc/>
    public int[] GetShape(string name) => [.. ShapeOf(name)];

    /// <inheritdoc/>
    public float[] ReadTensor(string name)
    {
        _ = ShapeOf(name); // only canonical names: a tied lm_head.weight stored in the file stays hidden
        return weights.ByTensor[name].ReadFloat32(name);
    }

    int[] ShapeOf(string name) =>
        shapes.TryGetValue(name, out var shape) ? shape : throw new KeyNotFoundException($"{SourcePath}: no tensor named {MessageText.Quote(name)}");

    /// <summary>Unmaps the safetensors files.</summary>
    public void Dispose() => weights.Dispose();
}
