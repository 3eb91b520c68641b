using QQQ.Formats;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace QQQ.Quantization.Reference;

/// <summary>
/// The full-precision (float32, TorchSharp) LLaMA forward pass: embedding, decoder layers (RMSNorm,
/// rotate-half RoPE, GQA causal attention, SwiGLU MLP), final norm, lm_head. Ground truth for the
/// quantizer's calibration and for checking the runtime.
/// </summary>
public sealed class LlamaReferenceModel : ICausalLanguageModel
{
    readonly DecoderLayerWeights[] _layers;

    LlamaReferenceModel(ModelConfig config, Tensor embedding, DecoderLayerWeights[] layers, Tensor finalNorm, Tensor lmHead)
    {
        Config = config;
        Embedding = embedding;
        _layers = layers;
        FinalNorm = finalNorm;
        LmHead = lmHead;
    }

    public ModelConfig Config { get; }
    public Tensor Embedding { get; }   // (vocab, hidden)
    public Tensor FinalNorm { get; }   // (hidden)
    public Tensor LmHead { get; }      // (vocab, hidden); the embedding itself when tied
    public IReadOnlyList<DecoderLayerWeights> Layers => _layers;

    /// <summary>Reads every tensor of the checkpoint into float32 tensors.</summary>
    public static LlamaReferenceModel Load(ICheckpoint checkpoint)
    {
        var config = checkpoint.Config;
        var embedding = CheckpointTensors.Read(checkpoint, "model.embed_tokens.weight");
        var layers = Enumerable.Range(0, config.NumLayers).Select(i => DecoderLayerWeights.Read(checkpoint, i)).ToArray();
        var finalNorm = CheckpointTensors.Read(checkpoint, "model.norm.weight");
        var lmHead = config.TiedEmbeddings ? embedding : CheckpointTensors.Read(checkpoint, "lm_head.weight");
        return new LlamaReferenceModel(config, embedding, layers, finalNorm, lmHead);
    }

    /// <summary>ids: (batch, T) token ids -> hidden states after the last layer and final norm (batch, T, hidden).</summary>
    public Tensor Hidden(Tensor ids)
    {
        using var scope = NewDisposeScope();
        long length = ids.shape[1];
        var (cos, sin) = RotaryEmbedding.Tables((int)length, Config.HeadDim, Config.RopeTheta);
        var x = Embedding.index_select(0, ids.flatten()).view(ids.shape[0], length, Config.HiddenSize);
        foreach (var layer in _layers)
            x = LlamaBlocks.DecoderLayer(x, layer, Config, cos, sin);
        return LlamaBlocks.RmsNorm(x, FinalNorm, Config.RmsNormEps).MoveToOuterDisposeScope();
    }

    /// <summary>ids: (batch, T) -> logits (batch, T, vocab), float32.</summary>
    public Tensor Logits(Tensor ids)
    {
        using var scope = NewDisposeScope();
        return F.linear(Hidden(ids), LmHead).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        foreach (var layer in _layers) layer.Dispose();
        if (!ReferenceEquals(LmHead, Embedding)) LmHead.Dispose();
        Embedding.Dispose();
        FinalNorm.Dispose();
    }
}
