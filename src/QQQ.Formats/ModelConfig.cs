namespace QQQ.Formats;

/// <summary>
/// Architecture of a LLaMA-family decoder, independent of the file it came from. Weights described
/// by a config always use the Hugging Face conventions: tensor names such as
/// <c>model.layers.0.self_attn.q_proj.weight</c>, q/k rows ordered for rotate-half RoPE
/// (llama2.c checkpoints are permuted on load), linear weights as (out_features, in_features).
/// </summary>
public sealed record ModelConfig
{
    /// <summary>"llama", "mistral" or "qwen2" (the HF model_type).</summary>
    public required string ModelType { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumLayers { get; init; }
    public required int NumHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    public required int VocabSize { get; init; }
    /// <summary>Longest sequence the model was trained for (max_position_embeddings).</summary>
    public required int MaxSequenceLength { get; init; }
    public required float RmsNormEps { get; init; }
    public required float RopeTheta { get; init; }
    /// <summary>lm_head shares the token embedding matrix.</summary>
    public required bool TiedEmbeddings { get; init; }
    /// <summary>q/k/v projections carry biases (Qwen2).</summary>
    public bool AttentionBias { get; init; }
    public int BosTokenId { get; init; } = 1;
    public int EosTokenId { get; init; } = 2;

    public int HeadDim => HiddenSize / NumHeads;
    public int KeyValueDim => HeadDim * NumKeyValueHeads;

    /// <summary>Throws when the dimensions cannot describe a working model.</summary>
    public void Validate(string path)
    {
        void Require(bool ok, string problem)
        {
            if (!ok) throw new ModelFormatException(path, problem);
        }
        Require(HiddenSize > 0 && IntermediateSize > 0 && NumLayers > 0 && NumHeads > 0 && NumKeyValueHeads > 0
                && VocabSize > 0 && MaxSequenceLength > 0, "every dimension must be positive");
        Require(HiddenSize % NumHeads == 0, $"hidden_size {HiddenSize} is not divisible by num_attention_heads {NumHeads}");
        Require(HeadDim % 2 == 0, $"head dimension {HeadDim} must be even for RoPE");
        Require(NumHeads % NumKeyValueHeads == 0, $"num_attention_heads {NumHeads} is not a multiple of num_key_value_heads {NumKeyValueHeads}");
        Require(float.IsFinite(RmsNormEps) && RmsNormEps > 0, "rms_norm_eps must be a positive number");
        Require(float.IsFinite(RopeTheta) && RopeTheta > 0, "rope_theta must be a positive number");
        Require(BosTokenId >= 0 && BosTokenId < VocabSize && EosTokenId >= 0 && EosTokenId < VocabSize,
            "bos/eos token ids must lie inside the vocabulary");
    }
}
