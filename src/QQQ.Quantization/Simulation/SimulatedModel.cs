using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Quantization.Reference;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace QQQ.Quantization.Simulation;

/// <summary>
/// An artifact run with the exact W4A8 arithmetic for the seven linears of every layer
/// (<see cref="SimulatedLinear"/>) and float32 for the rest (embedding and lm_head from their fp16
/// values, RMSNorm, RoPE, attention, SwiGLU): the ground truth the ILGPU runtime is checked against.
/// </summary>
public sealed class SimulatedModel : ICausalLanguageModel
{
    sealed record Layer(Tensor InputNorm, Tensor PostAttentionNorm, SimulatedLinear Q, SimulatedLinear K, SimulatedLinear V,
        SimulatedLinear O, SimulatedLinear Gate, SimulatedLinear Up, SimulatedLinear Down);

    readonly Layer[] _layers;
    readonly Tensor _embedding, _finalNorm, _lmHead;

    SimulatedModel(ModelConfig config, Tensor embedding, Tensor finalNorm, Tensor lmHead, Layer[] layers)
    {
        Config = config;
        _embedding = embedding;
        _finalNorm = finalNorm;
        _lmHead = lmHead;
        _layers = layers;
    }

    public ModelConfig Config { get; }

    public static SimulatedModel Load(ArtifactFile artifact)
    {
        var c = artifact.Config;
        Tensor Vector(string name) => tensor(artifact.ReadFloat32(name));
        SimulatedLinear Linear(int layer, string name)
        {
            string biasName = ArtifactTensors.Bias(layer, name);
            return new SimulatedLinear(artifact.ReadLinear(layer, name), artifact.Contains(biasName) ? artifact.ReadFloat32(biasName) : null);
        }
        var layers = Enumerable.Range(0, c.NumLayers).Select(i => new Layer(
            Vector(ArtifactTensors.InputNorm(i)), Vector(ArtifactTensors.PostAttentionNorm(i)),
            Linear(i, "self_attn.q_proj"), Linear(i, "self_attn.k_proj"), Linear(i, "self_attn.v_proj"), Linear(i, "self_attn.o_proj"),
            Linear(i, "mlp.gate_proj"), Linear(i, "mlp.up_proj"), Linear(i, "mlp.down_proj"))).ToArray();
        var embedding = tensor(artifact.ReadFloat32(ArtifactTensors.Embedding), [c.VocabSize, c.HiddenSize]);
        var lmHead = c.TiedEmbeddings ? embedding : tensor(artifact.ReadFloat32(ArtifactTensors.LmHead), [c.VocabSize, c.HiddenSize]);
        return new SimulatedModel(c, embedding, Vector(ArtifactTensors.FinalNorm), lmHead, layers);
    }

    /// <summary>ids: (batch, T) -> logits (batch, T, vocab), float32.</summary>
    public Tensor Logits(Tensor ids)
    {
        using var scope = NewDisposeScope();
        long batch = ids.shape[0], length = ids.shape[1];
        var (cos, sin) = RotaryEmbedding.Tables((int)length, Config.HeadDim, Config.RopeTheta);
        var x = _embedding.index_select(0, ids.flatten()).view(batch, length, Config.HiddenSize);
        float eps = Config.RmsNormEps;
        foreach (var layer in _layers)
        {
            var a = LlamaBlocks.RmsNorm(x, layer.InputNorm, eps);
            var attention = LlamaBlocks.Attend(layer.Q.Forward(a), layer.K.Forward(a), layer.V.Forward(a), Config, cos, sin);
            x = x + layer.O.Forward(attention);
            var m = LlamaBlocks.RmsNorm(x, layer.PostAttentionNorm, eps);
            x = x + layer.Down.Forward(F.silu(layer.Gate.Forward(m)) * layer.Up.Forward(m));
        }
        return F.linear(LlamaBlocks.RmsNorm(x, _finalNorm, eps), _lmHead).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        foreach (var l in _layers)
            foreach (var d in new IDisposable[] { l.InputNorm, l.PostAttentionNorm, l.Q, l.K, l.V, l.O, l.Gate, l.Up, l.Down })
                d.Dispose();
        if (!ReferenceEquals(_lmHead, _embedding)) _lmHead.Dispose();
        _embedding.Dispose();
        _finalNorm.Dispose();
    }
}
