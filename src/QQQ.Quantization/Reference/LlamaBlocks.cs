using QQQ.Formats;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace QQQ.Quantization.Reference;

/// <summary>
/// The pieces of a LLaMA decoder layer as plain functions of explicit weights, so that the full
/// forward pass and the quantizer's calibration (which swaps in smoothed or fake-quantized weights)
/// run the same code.
/// </summary>
public static class LlamaBlocks
{
    /// <summary>RMSNorm in float32: x * rsqrt(mean(x^2) + eps) * weight. x: (..., hidden).</summary>
    public static Tensor RmsNorm(Tensor x, Tensor weight, float eps)
    {
        using var scope = NewDisposeScope();
        var variance = x.pow(2).mean([-1], keepdim: true);
        return (x * rsqrt(variance + eps) * weight).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Causal self-attention from the normalised input, before o_proj.
    /// x: (batch, T, hidden) -> (batch, T, heads * head_dim).
    /// </summary>
    public static Tensor AttentionCore(Tensor x, DecoderLayerWeights w, ModelConfig config, Tensor cos, Tensor sin,
        Tensor? qProj = null, Tensor? kProj = null, Tensor? vProj = null)
    {
        using var scope = NewDisposeScope();
        var q = F.linear(x, qProj ?? w.QProj, w.QBias);
        var k = F.linear(x, kProj ?? w.KProj, w.KBias);
        var v = F.linear(x, vProj ?? w.VProj, w.VBias);
        return Attend(q, k, v, config, cos, sin).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// RoPE, GQA and causal softmax attention from projected q (batch, T, heads * head_dim) and
    /// k, v (batch, T, kv_heads * head_dim) -> (batch, T, heads * head_dim).
    /// </summary>
    public static Tensor Attend(Tensor q, Tensor k, Tensor v, ModelConfig config, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        long batch = q.shape[0], length = q.shape[1];
        int heads = config.NumHeads, kvHeads = config.NumKeyValueHeads, headDim = config.HeadDim;
        q = RotaryEmbedding.Apply(q.view(batch, length, heads, headDim).transpose(1, 2), cos, sin);
        k = RotaryEmbedding.Apply(k.view(batch, length, kvHeads, headDim).transpose(1, 2), cos, sin);
        v = v.view(batch, length, kvHeads, headDim).transpose(1, 2);
        if (kvHeads != heads)
        {
            // GQA: kv head j serves query heads j*r .. j*r+r-1.
            int repeat = heads / kvHeads;
            k = k.repeat_interleave(repeat, 1);
            v = v.repeat_interleave(repeat, 1);
        }
        // Scalars held in locals until the method ends: an implicit float -> Scalar temporary is unreachable once its
        // handle is read, and a GC during the native call can finalize it (freeing the native scalar) while libtorch
        // reads it: the probable cause of a rare "toFloat: Expected false to be true" in masked_fill under a loaded test run.
        using TorchSharp.Scalar squareRootHeadDim = MathF.Sqrt(headDim);
        using TorchSharp.Scalar negativeInfinity = float.NegativeInfinity;
        var scores = matmul(q, k.transpose(-2, -1)).div(squareRootHeadDim);             // (batch, heads, T, T)
        var mask = ones(length, length, ScalarType.Bool).triu(1);
        scores = scores.masked_fill(mask, negativeInfinity);
        var attended = matmul(F.softmax(scores, -1), v);                       // (batch, heads, T, head_dim)
        return attended.transpose(1, 2).reshape(batch, length, heads * headDim).MoveToOuterDisposeScope();
    }

    /// <summary>act(gate(x)) * up(x): the down_proj input. x: (..., hidden) -> (..., intermediate).</summary>
    public static Tensor GatedActivation(Tensor x, Tensor gateProj, Tensor upProj)
    {
        using var scope = NewDisposeScope();
        return (F.silu(F.linear(x, gateProj)) * F.linear(x, upProj)).MoveToOuterDisposeScope();
    }

    /// <summary>One full decoder layer with residuals. x: (batch, T, hidden).</summary>
    public static Tensor DecoderLayer(Tensor x, DecoderLayerWeights w, ModelConfig config, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        var attention = AttentionCore(RmsNorm(x, w.InputNorm, config.RmsNormEps), w, config, cos, sin);
        var h = x + F.linear(attention, w.OProj);
        var mlp = F.linear(GatedActivation(RmsNorm(h, w.PostAttentionNorm, config.RmsNormEps), w.GateProj, w.UpProj), w.DownProj);
        return (h + mlp).MoveToOuterDisposeScope();
    }
}
