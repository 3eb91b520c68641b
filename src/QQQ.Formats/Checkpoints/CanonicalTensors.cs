namespace QQQ.Formats;

/// <summary>A weight a <see cref="ModelConfig"/> calls for: its Hugging Face name and shape, e.g. (out_features, in_features) for a linear.</summary>
public sealed record CanonicalTensor(string Name, int[] Shape);

/// <summary>
/// The Hugging Face LLaMA tensor names every checkpoint reader maps its weights to, and the shapes a
/// config implies. H = hidden, I = intermediate, V = vocab, KV = kv_heads * head_dim.
/// </summary>
public static class CanonicalTensors
{
    /// <summary>Token embedding (V, H).</summary>
    public const string EmbedTokens = "model.embed_tokens.weight";
    /// <summary>Final RMSNorm weight (H).</summary>
    public const string FinalNorm = "model.norm.weight";
    /// <summary>Classifier (V, H); absent when tied to the embedding.</summary>
    public const string LmHead = "lm_head.weight";

    /// <summary>Per-layer suffix: attention RMSNorm weight (H).</summary>
    public const string InputNorm = "input_layernorm.weight";
    /// <summary>Per-layer suffix: query projection (H, H), rows in rotate-half RoPE order.</summary>
    public const string QProj = "self_attn.q_proj.weight";
    /// <summary>Per-layer suffix: key projection (KV, H), rows in rotate-half RoPE order.</summary>
    public const string KProj = "self_attn.k_proj.weight";
    /// <summary>Per-layer suffix: value projection (KV, H).</summary>
    public const string VProj = "self_attn.v_proj.weight";
    /// <summary>Per-layer suffix: attention output projection (H, H).</summary>
    public const string OProj = "self_attn.o_proj.weight";
    /// <summary>Per-layer suffix: query bias (H), only with <see cref="ModelConfig.AttentionBias"/>.</summary>
    public const string QBias = "self_attn.q_proj.bias";
    /// <summary>Per-layer suffix: key bias (KV), only with <see cref="ModelConfig.AttentionBias"/>.</summary>
    public const string KBias = "self_attn.k_proj.bias";
    /// <summary>Per-layer suffix: value bias (KV), only with <see cref="ModelConfig.AttentionBias"/>.</summary>
    public const string VBias = "self_attn.v_proj.bias";
    /// <summary>Per-layer suffix: MLP RMSNorm weight (H).</summary>
    public const string PostAttentionNorm = "post_attention_layernorm.weight";
    /// <summary>Per-layer suffix: SwiGLU gate (I, H) (llama2.c w1).</summary>
    public const string GateProj = "mlp.gate_proj.weight";
    /// <summary>Per-layer suffix: SwiGLU up (I, H) (llama2.c w3).</summary>
    public const string UpProj = "mlp.up_proj.weight";
    /// <summary>Per-layer suffix: SwiGLU down (H, I) (llama2.c w2).</summary>
    public const string DownProj = "mlp.down_proj.weight";

    /// <summary>Full name of a per-layer tensor, e.g. <c>model.layers.3.self_attn.q_proj.weight</c>.</summary>
    public static string Layer(int layer, string suffix) => $"model.layers.{layer}.{suffix}";

    /// <summary>Every tensor the config calls for, in module order (embedding, layers, final norm, lm_head when untied).</summary>
    public static IReadOnlyList<CanonicalTensor> For(ModelConfig config)
    {
        int h = config.HiddenSize, i = config.IntermediateSize, kv = config.KeyValueDim;
        var tensors = new List<CanonicalTensor> { new(EmbedTokens, [config.VocabSize, h]) };
        for (int layer = 0; layer < config.NumLayers; layer++)
        {
            void Add(string suffix, params int[] shape) => tensors.Add(new(Layer(layer, suffix), shape));
            Add(InputNorm, h);
            Add(QProj, h, h);
            Add(KProj, kv, h);
            Add(VProj, kv, h);
            if (config.AttentionBias)
            {
                Add(QBias, h);
                Add(KBias, kv);
                Add(VBias, kv);
            }
            Add(OProj, h, h);
            Add(PostAttentionNorm, h);
            Add(GateProj, i, h);
            Add(UpProj, i, h);
            Add(DownProj, h, i);
        }
        tensors.Add(new(FinalNorm, [h]));
        if (!config.TiedEmbeddings) tensors.Add(new(LmHead, [config.VocabSize, h]));
        return tensors;
    }
}
