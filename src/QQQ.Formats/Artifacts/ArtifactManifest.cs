using System.Text.Json;
using System.Text.Json.Serialization;

namespace QQQ.Formats.Artifacts;

/// <summary>
/// What a QQQ artifact holds, stored in its safetensors <c>__metadata__</c> (key <c>qqq.manifest</c>) and
/// beside it as <c>&lt;name&gt;.qqq.json</c> for build tools and the source generator. Everything needed to
/// run the model without the source checkpoint: architecture, quantization, tokenizer kind; plus what
/// produced it (content hashes, calibration settings, tool version) for incremental builds.
/// Deterministic: no timestamps, no absolute paths.
/// </summary>
public sealed record ArtifactManifest
{
    public const string Format = "qqq-artifact";
    public const int CurrentFormatVersion = 1;
    public const string MetadataKey = "qqq.manifest";

    [JsonPropertyName("format")] public string FormatName { get; init; } = Format;
    [JsonPropertyName("format_version")] public int FormatVersion { get; init; } = CurrentFormatVersion;
    [JsonPropertyName("tool_version")] public required string ToolVersion { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("architecture")] public required ArchitectureSection Architecture { get; init; }
    [JsonPropertyName("quantization")] public required QuantizationSection Quantization { get; init; }
    [JsonPropertyName("tokenizer")] public required TokenizerSection Tokenizer { get; init; }
    [JsonPropertyName("calibration")] public CalibrationSection? Calibration { get; init; }
    [JsonPropertyName("source_sha256")] public required string SourceSha256 { get; init; }
    [JsonPropertyName("settings_sha256")] public required string SettingsSha256 { get; init; }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses and validates a manifest; <paramref name="path"/> names the file in errors.</summary>
    public static ArtifactManifest Parse(string json, string path)
    {
        ArtifactManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ArtifactManifest>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"manifest is not valid: {e.Message}");
        }
        if (manifest is null || manifest.FormatName != Format)
            throw new ModelFormatException(path, "not a QQQ artifact manifest");
        if (manifest.FormatVersion > CurrentFormatVersion)
            throw new ModelFormatException(path,
                $"artifact format version {manifest.FormatVersion} is newer than this runtime supports ({CurrentFormatVersion}); update QQQ");
        if (manifest.FormatVersion < 1) throw new ModelFormatException(path, $"invalid format version {manifest.FormatVersion}");
        manifest.Architecture.ToConfig().Validate(path);
        manifest.Quantization.Validate(path, manifest.Architecture);
        return manifest;
    }
}

/// <summary>The decoder's shape; mirrors <see cref="ModelConfig"/>.</summary>
public sealed record ArchitectureSection
{
    [JsonPropertyName("model_type")] public required string ModelType { get; init; }
    [JsonPropertyName("hidden_size")] public required int HiddenSize { get; init; }
    [JsonPropertyName("intermediate_size")] public required int IntermediateSize { get; init; }
    [JsonPropertyName("num_hidden_layers")] public required int NumLayers { get; init; }
    [JsonPropertyName("num_attention_heads")] public required int NumHeads { get; init; }
    [JsonPropertyName("num_key_value_heads")] public required int NumKeyValueHeads { get; init; }
    [JsonPropertyName("vocab_size")] public required int VocabSize { get; init; }
    [JsonPropertyName("max_position_embeddings")] public required int MaxSequenceLength { get; init; }
    [JsonPropertyName("rms_norm_eps")] public required float RmsNormEps { get; init; }
    [JsonPropertyName("rope_theta")] public required float RopeTheta { get; init; }
    [JsonPropertyName("tie_word_embeddings")] public required bool TiedEmbeddings { get; init; }
    [JsonPropertyName("attention_bias")] public bool AttentionBias { get; init; }
    [JsonPropertyName("bos_token_id")] public int BosTokenId { get; init; } = 1;
    [JsonPropertyName("eos_token_id")] public int EosTokenId { get; init; } = 2;

    public static ArchitectureSection From(ModelConfig c) => new()
    {
        ModelType = c.ModelType, HiddenSize = c.HiddenSize, IntermediateSize = c.IntermediateSize, NumLayers = c.NumLayers,
        NumHeads = c.NumHeads, NumKeyValueHeads = c.NumKeyValueHeads, VocabSize = c.VocabSize, MaxSequenceLength = c.MaxSequenceLength,
        RmsNormEps = c.RmsNormEps, RopeTheta = c.RopeTheta, TiedEmbeddings = c.TiedEmbeddings, AttentionBias = c.AttentionBias,
        BosTokenId = c.BosTokenId, EosTokenId = c.EosTokenId,
    };

    public ModelConfig ToConfig() => new()
    {
        ModelType = ModelType, HiddenSize = HiddenSize, IntermediateSize = IntermediateSize, NumLayers = NumLayers,
        NumHeads = NumHeads, NumKeyValueHeads = NumKeyValueHeads, VocabSize = VocabSize, MaxSequenceLength = MaxSequenceLength,
        RmsNormEps = RmsNormEps, RopeTheta = RopeTheta, TiedEmbeddings = TiedEmbeddings, AttentionBias = AttentionBias,
        BosTokenId = BosTokenId, EosTokenId = EosTokenId,
    };
}

/// <summary>How the linears are quantized and laid out.</summary>
public sealed record QuantizationSection
{
    [JsonPropertyName("method")] public string Method { get; init; } = "qqq";
    [JsonPropertyName("wbits")] public int WeightBits { get; init; } = 4;
    [JsonPropertyName("abits")] public int ActivationBits { get; init; } = 8;
    /// <summary>"per-channel" or "per-group".</summary>
    [JsonPropertyName("granularity")] public required string Granularity { get; init; }
    /// <summary>-1 for per-channel, else the group size.</summary>
    [JsonPropertyName("group_size")] public required int GroupSize { get; init; }
    [JsonPropertyName("smoothing")] public required string Smoothing { get; init; }
    [JsonPropertyName("weights")] public required string Weights { get; init; }
    /// <summary>
    /// How linears are stored: <see cref="LinearLayouts.Reference"/> (the reference kernel's B / s_channel /
    /// s_group, when every shape allows it) or <see cref="LinearLayouts.Natural"/> (plain nibbles, any shape).
    /// </summary>
    [JsonPropertyName("layout")] public required string Layout { get; init; }

    public const string PerChannel = "per-channel", PerGroup = "per-group";

    [JsonIgnore] public bool IsPerGroup => Granularity == PerGroup;

    public void Validate(string path, ArchitectureSection architecture)
    {
        if (Method != "qqq" || WeightBits != 4 || ActivationBits != 8)
            throw new ModelFormatException(path, $"unsupported quantization {Method} w{WeightBits}a{ActivationBits}");
        if (Layout is not (LinearLayouts.Reference or LinearLayouts.Natural))
            throw new ModelFormatException(path, $"unsupported weight layout '{Layout}'");
        switch (Granularity)
        {
            case PerChannel when GroupSize == -1:
                break;
            case PerGroup when GroupSize is 32 or 64 or 128:
                if (architecture.HiddenSize % GroupSize != 0 || architecture.IntermediateSize % GroupSize != 0)
                    throw new ModelFormatException(path, $"group size {GroupSize} does not divide the model's dimensions");
                break;
            default:
                throw new ModelFormatException(path, $"invalid granularity '{Granularity}' with group size {GroupSize}");
        }
    }
}

/// <summary>The tokenizer embedded in the artifact (tensor <c>tokenizer</c>, raw file bytes as U8).</summary>
public sealed record TokenizerSection
{
    /// <summary>"sentencepiece" or "llama2c".</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }
    [JsonPropertyName("file_name")] public required string FileName { get; init; }
    [JsonPropertyName("sha256")] public required string Sha256 { get; init; }
}

/// <summary>What calibrated the artifact (file names and content hashes, not paths).</summary>
public sealed record CalibrationSection
{
    [JsonPropertyName("files")] public required IReadOnlyList<CalibrationFile> Files { get; init; }
    [JsonPropertyName("samples")] public required int Samples { get; init; }
    [JsonPropertyName("sequence_length")] public required int SequenceLength { get; init; }
    [JsonPropertyName("seed")] public required int Seed { get; init; }
}

public sealed record CalibrationFile(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("sha256")] string Sha256);
