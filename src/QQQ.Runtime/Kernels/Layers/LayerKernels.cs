using ILGPU.Runtime;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// Every non-GEMM kernel of the W4A8 runtime, loaded once for one accelerator. Create one per
/// accelerator and reuse it; launches go to the accelerator's default stream. Not thread-safe.
/// </summary>
public sealed class LayerKernels : IDisposable
{
    /// <summary>Loads (compiles) all layer kernels for <paramref name="accelerator"/>, in the formulation that suits it.</summary>
    public LayerKernels(Accelerator accelerator) : this(accelerator, KernelFormulations.For(accelerator)) { }

    internal LayerKernels(Accelerator accelerator, KernelFormulation formulation)
    {
        TokenQuantizer = new TokenQuantizer(accelerator, formulation);
        RmsNorm = new RmsNormKernels(accelerator, formulation);
        GatedActivation = new GatedActivationKernel(accelerator, formulation);
        ResidualAdd = new ResidualAddKernel(accelerator, formulation);
        Rotary = new RotaryKernel(accelerator, formulation);
        Attention = new AttentionKernels(accelerator, formulation);
        Embedding = new EmbeddingKernel(accelerator, formulation);
        LmHead = new LmHeadKernel(accelerator, formulation);
    }

    /// <summary>Per-token int8 quantization of fp32 activations (the o_proj input).</summary>
    public TokenQuantizer TokenQuantizer { get; }

    /// <summary>RMSNorm fused with per-token quantization, and plain fp32 RMSNorm.</summary>
    public RmsNormKernels RmsNorm { get; }

    /// <summary>silu(gate) * up fused with per-token quantization (the down_proj input).</summary>
    public GatedActivationKernel GatedActivation { get; }

    /// <summary>fp32 residual stream += fp16 GEMM output.</summary>
    public ResidualAddKernel ResidualAdd { get; }

    /// <summary>RoPE in place on fp16 q and k.</summary>
    public RotaryKernel Rotary { get; }

    /// <summary>KV-cache append and causal GQA attention.</summary>
    public AttentionKernels Attention { get; }

    /// <summary>Token embedding lookup from the fp16 table to fp32 rows.</summary>
    public EmbeddingKernel Embedding { get; }

    /// <summary>fp32 x @ fp16 W_lm^T -> fp32 logits.</summary>
    public LmHeadKernel LmHead { get; }

    /// <summary>Frees the device buffers the kernels own (the embedding's id buffer, attention's scratch).</summary>
    public void Dispose()
    {
        Embedding.Dispose();
        Attention.Dispose();
    }
}
