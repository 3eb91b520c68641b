namespace QQQ.Formats.Artifacts;

/// <summary>Names, dtypes and shapes of the unquantized tensors of an artifact (HF naming).</summary>
public static class ArtifactTensors
{
    /// <summary>Raw bytes of the tokenizer file, U8 (bytes).</summary>
    public const string Tokenizer = "tokenizer";
    /// <summary>F16 (vocab, hidden).</summary>
    public const string Embedding = "model.embed_tokens.weight";
    /// <summary>F32 (hidden).</summary>
    public const string FinalNorm = "model.norm.weight";
    /// <summary>F16 (vocab, hidden); absent when tied to the embedding.</summary>
    public const string LmHead = "lm_head.weight";

    /// <summary>F32 (hidden), smoothing folded in.</summary>
    public static string InputNorm(int layer) => $"model.layers.{layer}.input_layernorm.weight";
    /// <summary>F32 (hidden), smoothing folded in.</summary>
    public static string PostAttentionNorm(int layer) => $"model.layers.{layer}.post_attention_layernorm.weight";
    /// <summary>Prefix of a quantized linear, e.g. <c>model.layers.0.self_attn.q_proj</c>.</summary>
    public static string Linear(int layer, string linear) => $"model.layers.{layer}.{linear}";
    /// <summary>F32 (out_features) bias of q/k/v (Qwen2).</summary>
    public static string Bias(int layer, string linear) => $"model.layers.{layer}.{linear}.bias";

    /// <summary>The seven linears of a decoder layer with their (out_features, in_features).</summary>
    public static IReadOnlyList<(string Name, int Out, int In)> Linears(ModelConfig c)
    {
        int q = c.NumHeads * c.HeadDim;
        return
        [
            ("self_attn.q_proj", q, c.HiddenSize),
            ("self_attn.k_proj", c.KeyValueDim, c.HiddenSize),
            ("self_attn.v_proj", c.KeyValueDim, c.HiddenSize),
            ("self_attn.o_proj", c.HiddenSize, q),
            ("mlp.gate_proj", c.IntermediateSize, c.HiddenSize),
            ("mlp.up_proj", c.IntermediateSize, c.HiddenSize),
            ("mlp.down_proj", c.HiddenSize, c.IntermediateSize),
        ];
    }
}
