using QQQ.Formats.Artifacts;
using QQQ.Formats.W4A8;

namespace QQQ.Formats.Interchange;

/// <summary>
/// The Hugging Face QQQ checkpoint format that the original QQQ code and vLLM 0.5.4-0.10.1 load (qqq-method.md §5):
/// a LLaMA-family folder whose config.json carries <c>"quantization_config": {"quant_method": "qqq", "wbits": 4,
/// "group_size": -1 | 128}</c>, fp16 unquantized tensors, and per linear <c>B</c> (int32 (K/16, 2N)), <c>s_channel</c>
/// (fp32 (1, N)) and <c>s_group</c> (fp16 (K/128, N); an empty (0) tensor per-channel, as the reference's QuantLinear
/// registers it) in the reference kernel's layout.
/// </summary>
public static class QqqHfFormat
{
    public const string QuantMethod = "qqq";
    public const string ModelFileName = "model.safetensors";

    /// <summary>safetensors metadata key under which an export keeps the manifest of the artifact it came from.</summary>
    public const string ExportedFromKey = "qqq.exported_from";

    /// <summary>Why a model with this architecture and granularity cannot be written in this format, or null when it can.</summary>
    public static string? Blocker(ModelConfig config, Granularity granularity)
    {
        if (granularity is PerGroupGranularity { GroupSize: not ReferenceLayout.GroupSize } group)
            return $"group size {group.GroupSize}: the QQQ checkpoint format (the reference kernel) supports per-channel and group size {ReferenceLayout.GroupSize} only";
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, n, k) in ArtifactTensors.Linears(config))
        {
            if (k % ReferenceLayout.GroupSize != 0 && seen.Add($"k{k}")) problems.Add($"in_features {k} ({name} and others) is not a multiple of {ReferenceLayout.GroupSize}");
            if (n % 64 != 0 && seen.Add($"n{n}")) problems.Add($"out_features {n} ({name} and others) is not a multiple of 64");
        }
        return problems.Count == 0 ? null
            : "the QQQ checkpoint format (the reference kernel's packed layout) needs in_features % 128 == 0 and out_features % 64 == 0 " +
              "for every linear, but " + string.Join("; ", problems);
    }

    /// <summary>The Hugging Face class name for a model_type.</summary>
    public static string ArchitectureName(string modelType) => modelType switch
    {
        "llama" => "LlamaForCausalLM",
        "mistral" => "MistralForCausalLM",
        "qwen2" => "Qwen2ForCausalLM",
        _ => throw new ArgumentException($"model_type '{modelType}' has no Hugging Face class here", nameof(modelType)),
    };
}
