using QQQ.Formats;
using QQQ.Quantization.Smoothing;

namespace QQQ.Quantization.Pipeline;

/// <summary>The smoothing decision at one of the four points of a layer (null where the point was skipped).</summary>
public sealed record SmoothingReport(string Point, double Threshold, double Loss, double UnsmoothedLoss, int Candidates, int Evaluated, int OutlierChannels);

/// <summary>One decoder layer after quantization: norms with smoothing folded in, seven quantized linears.</summary>
public sealed record QuantizedLayer(
    float[] InputNorm,
    float[] PostAttentionNorm,
    IReadOnlyList<QuantizedLinear> Linears,
    IReadOnlyDictionary<string, float[]> Biases,
    IReadOnlyList<SmoothingReport> Smoothing,
    double Seconds);

/// <summary>A whole model after quantization; unquantized tensors are float32 here and stored fp16 by the artifact.</summary>
public sealed record QuantizedModel(
    ModelConfig Config,
    QuantizationSettings Settings,
    float[] Embedding,
    float[] FinalNorm,
    float[]? LmHead,
    IReadOnlyList<QuantizedLayer> Layers);

/// <summary>Names of the seven linears of a decoder layer, relative to <c>model.layers.N.</c>.</summary>
public static class LinearNames
{
    public const string Q = "self_attn.q_proj", K = "self_attn.k_proj", V = "self_attn.v_proj", O = "self_attn.o_proj";
    public const string Gate = "mlp.gate_proj", Up = "mlp.up_proj", Down = "mlp.down_proj";
    public static readonly IReadOnlyList<string> All = [Q, K, V, O, Gate, Up, Down];
}

internal static class SmoothingReports
{
    public static SmoothingReport From(string point, SmoothingChoice choice) =>
        new(point, choice.Threshold, choice.Loss, choice.UnsmoothedLoss, choice.Candidates, choice.Evaluated, choice.OutlierChannels);
}
