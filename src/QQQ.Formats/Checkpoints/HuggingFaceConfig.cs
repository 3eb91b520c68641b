namespace QQQ.Formats;

/// <summary>
/// Turns a Hugging Face <c>config.json</c> (LlamaConfig, MistralConfig, Qwen2Config) into a
/// <see cref="ModelConfig"/>, refusing settings the runtime would silently get wrong (other
/// activations, RoPE scaling, an o_proj bias, a head_dim that is not hidden/heads).
/// </summary>
internal static class HuggingFaceConfig
{
    const long MaxConfigBytes = 16 << 20;
    const double DefaultRopeTheta = 10000;

    public static ModelConfig Read(string path)
    {
        var fields = new ConfigFields(path, JsonFile.ReadObject(path, MaxConfigBytes));
        var modelType = fields.RequiredString("model_type");
        if (modelType is not ("llama" or "mistral" or "qwen2"))
            throw fields.Fail($"model_type {MessageText.Quote(modelType)} is not supported (llama, mistral or qwen2)");
        var activation = fields.OptionalString("hidden_act") ?? "silu";
        if (activation != "silu") throw fields.Fail($"hidden_act {MessageText.Quote(activation)} is not supported (silu only)");
        if (fields.OptionalBool("mlp_bias") == true) throw fields.Fail("mlp_bias true is not supported");

        // Qwen2 always has q/k/v biases and no o_proj bias. Llama's attention_bias would also bias
        // o_proj, which ModelConfig cannot express.
        bool attentionBias = modelType == "qwen2";
        if (modelType != "qwen2" && fields.OptionalBool("attention_bias") == true)
            throw fields.Fail("attention_bias true (biases on q/k/v/o) is not supported for model_type " + modelType);

        int heads = fields.RequiredPositiveInt("num_attention_heads");
        var config = new ModelConfig
        {
            ModelType = modelType,
            HiddenSize = fields.RequiredPositiveInt("hidden_size"),
            IntermediateSize = fields.RequiredPositiveInt("intermediate_size"),
            NumLayers = fields.RequiredPositiveInt("num_hidden_layers"),
            NumHeads = heads,
            // HF: a missing num_key_value_heads means multi-head attention.
            NumKeyValueHeads = fields.OptionalPositiveInt("num_key_value_heads") ?? heads,
            VocabSize = fields.RequiredPositiveInt("vocab_size"),
            MaxSequenceLength = ReadMaxSequenceLength(fields, modelType),
            RmsNormEps = (float)fields.RequiredNumber("rms_norm_eps"),
            RopeTheta = (float)ReadRopeTheta(fields),
            // HF's own default for these model types is false (an untied lm_head).
            TiedEmbeddings = fields.OptionalBool("tie_word_embeddings") ?? false,
            AttentionBias = attentionBias,
            BosTokenId = fields.OptionalTokenId("bos_token_id") ?? 1,
            EosTokenId = fields.OptionalTokenId("eos_token_id") ?? 2,
        };
        config.Validate(path);
        if (fields.OptionalPositiveInt("head_dim") is { } headDim && headDim != config.HeadDim)
            throw fields.Fail($"head_dim {headDim} differs from hidden_size / num_attention_heads = {config.HeadDim}; not supported");
        return config;
    }

    /// <summary>
    /// max_position_embeddings, cut to the sliding window when one applies: up to the window, sliding-window
    /// attention equals the full causal attention the runtime computes, beyond it they differ.
    /// </summary>
    static int ReadMaxSequenceLength(ConfigFields fields, string modelType)
    {
        int length = fields.RequiredPositiveInt("max_position_embeddings");
        bool windowApplies = modelType == "mistral" || (modelType == "qwen2" && fields.OptionalBool("use_sliding_window") == true);
        if (windowApplies && fields.OptionalPositiveInt("sliding_window") is { } window) length = Math.Min(length, window);
        return length;
    }

    /// <summary>
    /// transformers 5 writes <c>rope_parameters: {rope_type, rope_theta}</c>, older versions a top-level
    /// <c>rope_theta</c> and optional <c>rope_scaling</c>. Only plain ("default") RoPE is supported.
    /// </summary>
    static double ReadRopeTheta(ConfigFields fields)
    {
        var parameters = fields.OptionalObject("rope_parameters");
        var scaling = fields.OptionalObject("rope_scaling");
        foreach (var rope in new[] { parameters, scaling })
        {
            if (rope == null) continue;
            var type = rope.OptionalString("rope_type") ?? rope.OptionalString("type") ?? "default";
            if (type != "default") throw fields.Fail($"RoPE type {MessageText.Quote(type)} is not supported (default RoPE only)");
        }
        double? topLevel = fields.OptionalNumber("rope_theta");
        double? nested = parameters?.OptionalNumber("rope_theta");
        if (topLevel != null && nested != null && topLevel != nested)
            throw fields.Fail($"rope_theta {topLevel} and rope_parameters.rope_theta {nested} disagree");
        return nested ?? topLevel ?? DefaultRopeTheta;
    }
}
