using QQQ.Formats.W4A8;

namespace QQQ.Formats.Artifacts;

/// <summary>
/// Artifacts with random weights and real shapes (LLaMA-2-7B, ...), so that speed can be measured without
/// downloading or quantizing a model. Codes are uniform on the grid, grid scales uniform in [0.004, 0.02]
/// (typical of 7B linears), norms 1, embeddings N(0, 0.02)-like; layout natural (any shape, fast to write).
/// </summary>
public static class SyntheticArtifact
{
    /// <summary>The manifest's <c>quantization.weights</c> of a synthetic artifact.</summary>
    public const string RandomWeights = "random";

    /// <summary>The named shapes: LLaMA-2-7B, LLaMA-2-13B and LLaMA-3-8B (hidden, intermediate, layers, heads, kv heads, vocab, context).</summary>
    public static IReadOnlyDictionary<string, ModelConfig> Shapes { get; } = new Dictionary<string, ModelConfig>(StringComparer.Ordinal)
    {
        ["llama2-7b"] = Config(4096, 11008, 32, 32, 32, 32000, 4096),
        ["llama2-13b"] = Config(5120, 13824, 40, 40, 40, 32000, 4096),
        ["llama3-8b"] = Config(4096, 14336, 32, 32, 8, 128256, 8192),
    };

    public static ModelConfig Config(int hidden, int intermediate, int layers, int heads, int kvHeads, int vocab, int context) => new()
    {
        ModelType = "llama", HiddenSize = hidden, IntermediateSize = intermediate, NumLayers = layers, NumHeads = heads,
        NumKeyValueHeads = kvHeads, VocabSize = vocab, MaxSequenceLength = context, RmsNormEps = 1e-5f, RopeTheta = 10000f,
        TiedEmbeddings = false,
    };

    /// <param name="tokenizer">Bytes of a tokenizer file whose vocabulary fits the shape (embedded as is).</param>
    /// <param name="layerDone">Called with the number of layers made so far (the file is written after the last).</param>
    /// <param name="cancellation">Checked between batches of layers; the file is written atomically, so a cancelled call leaves none.</param>
    public static void Write(string path, ModelConfig config, Granularity granularity, byte[] tokenizer, string tokenizerName, int seed,
        Action<int>? layerDone = null, CancellationToken cancellation = default)
    {
        config.Validate(path);
        var manifest = new ArtifactManifest
        {
            ToolVersion = "synthetic",
            Name = Path.GetFileNameWithoutExtension(path),
            Architecture = ArchitectureSection.From(config),
            Quantization = new QuantizationSection
            {
                Granularity = granularity is PerGroupGranularity ? QuantizationSection.PerGroup : QuantizationSection.PerChannel,
                GroupSize = granularity.ConfigGroupSize,
                Smoothing = "none",
                Weights = RandomWeights,
                Layout = LinearLayouts.Natural,
            },
            Tokenizer = new TokenizerSection
            {
                Kind = tokenizerName.EndsWith(".model", StringComparison.Ordinal) ? "sentencepiece" : "llama2c",
                FileName = tokenizerName,
                Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(tokenizer)),
            },
            SourceSha256 = "synthetic",
            SettingsSha256 = $"seed-{seed}",
        };
        var writer = new SafetensorsWriter();
        writer.Metadata[ArtifactManifest.MetadataKey] = manifest.ToJson();
        writer.Add(ArtifactTensors.Tokenizer, [tokenizer.Length], (ReadOnlySpan<byte>)tokenizer);
        long embeddingCount = (long)config.VocabSize * config.HiddenSize;
        writer.Add(ArtifactTensors.Embedding, [config.VocabSize, config.HiddenSize], RandomHalf(seed, ArtifactTensors.Embedding, embeddingCount, 0.04f));
        if (!config.TiedEmbeddings)
            writer.Add(ArtifactTensors.LmHead, [config.VocabSize, config.HiddenSize], RandomHalf(seed, ArtifactTensors.LmHead, embeddingCount, 0.04f));
        var ones = Enumerable.Repeat(1f, config.HiddenSize).ToArray();
        writer.Add(ArtifactTensors.FinalNorm, [config.HiddenSize], (ReadOnlySpan<float>)ones);

        // A batch of layers at a time is made on all cores, then added in order: the codes of one batch are in memory,
        // not the whole model's (a 7B layer holds 200 MB of codes).
        var linears = ArtifactTensors.Linears(config);
        int batch = Environment.ProcessorCount;
        for (int first = 0; first < config.NumLayers; first += batch)
        {
            cancellation.ThrowIfCancellationRequested();
            int count = Math.Min(batch, config.NumLayers - first);
            var weights = new QuantizedWeights[count * linears.Count];
            Parallel.For(0, weights.Length, i =>
            {
                var (name, n, k) = linears[i % linears.Count];
                weights[i] = RandomLinear(Stream(seed, ArtifactTensors.Linear(first + i / linears.Count, name)), granularity, n, k);
            });
            for (int layer = first; layer < first + count; layer++)
            {
                writer.Add(ArtifactTensors.InputNorm(layer), [config.HiddenSize], (ReadOnlySpan<float>)ones);
                writer.Add(ArtifactTensors.PostAttentionNorm(layer), [config.HiddenSize], (ReadOnlySpan<float>)ones);
                for (int i = 0; i < linears.Count; i++)
                    LinearLayouts.Write(writer, ArtifactTensors.Linear(layer, linears[i].Name), weights[(layer - first) * linears.Count + i], LinearLayouts.Natural);
                layerDone?.Invoke(layer + 1);
            }
        }
        cancellation.ThrowIfCancellationRequested();
        writer.Write(path);
    }

    static QuantizedWeights RandomLinear(Random random, Granularity granularity, int n, int k)
    {
        bool grouped = granularity is PerGroupGranularity;
        var codes = new sbyte[(long)n * k];
        for (long i = 0; i < codes.LongLength; i++) codes[i] = (sbyte)(grouped ? random.Next(0, 16) : random.Next(-7, 8));
        var scales = new Half[(long)n * granularity.ScalesPerRow(k)];
        for (long i = 0; i < scales.LongLength; i++) scales[i] = (Half)(0.004f + 0.016f * random.NextSingle());
        return QuantizedWeights.FromGridScales(granularity, n, k, codes, scales);
    }

    // Each linear, and each chunk of an embedding, draws from its own generator seeded from (seed, its name), so that
    // they can be made on all cores and the artifact still depends on the seed alone.
    const int HalfChunk = 1 << 20;

    static Random Stream(int seed, string name) =>
        new(BitConverter.ToInt32(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{seed}/{name}"))));

    static Half[] RandomHalf(int seed, string name, long count, float scale)
    {
        var values = new Half[count];
        Parallel.For(0L, (count + HalfChunk - 1) / HalfChunk, chunk =>
        {
            var random = Stream(seed, $"{name}/{chunk}");
            long end = Math.Min(count, (chunk + 1) * HalfChunk);
            for (long i = chunk * HalfChunk; i < end; i++) values[i] = (Half)((random.NextSingle() * 2 - 1) * scale);
        });
        return values;
    }
}
