using QQQ.Formats.W4A8;
using static TorchSharp.torch;

namespace QQQ.Quantization.Simulation;

/// <summary>
/// What the W4A8 kernel computes for one linear (qqq-method.md §1, §4), bit for bit, on TorchSharp:
/// per-token int8 activations (s_tok = max|x| / 127 in fp32, round half to even, clamp [-128, 127]),
/// the kernel's int8 weights (16·q per-channel; rne((q-8)·s_group) per-group), exact int32
/// accumulation, epilogue fp16((acc · s_channel) · s_tok). The integer products are summed by fp32
/// matmuls over K-chunks of at most 1024: every partial sum is an integer below 127·128·1024 &lt; 2²⁴,
/// so fp32 holds it exactly, and chunks are added in float64.
/// </summary>
public sealed class SimulatedLinear : IDisposable
{
    const int ExactChunk = 1024;
    readonly Tensor _weightsT;   // (K, N) int8 values as float32
    readonly Tensor _channelScales; // (N)
    readonly Tensor? _bias;      // (N)

    public SimulatedLinear(QuantizedWeights weights, float[]? bias = null)
    {
        var int8 = KernelWeights.ToInt8(weights);
        _weightsT = tensor(int8.Select(v => (float)v).ToArray(), [weights.OutFeatures, weights.InFeatures]).t().contiguous();
        _channelScales = tensor(weights.ChannelScales.ToArray());
        _bias = bias is null ? null : tensor(bias);
        InFeatures = weights.InFeatures;
        OutFeatures = weights.OutFeatures;
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }

    /// <summary>x: (..., K) float32 -> (..., N) float32 holding fp16 values (plus bias).</summary>
    public Tensor Forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var rows = x.reshape(-1, InFeatures);
        var (quantized, tokenScales) = QuantizePerToken(rows);
        var output = MultiplyQuantized(quantized, tokenScales);
        if (_bias is not null) output = output + _bias;
        long[] outShape = [.. shape[..^1], OutFeatures];
        return output.reshape(outShape).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The kernel proper: quantized (M, K) int8 values as float, tokenScales (M, 1) ->
    /// fp16((acc · s_channel) · s_tok) as float32 (M, N).
    /// </summary>
    public Tensor MultiplyQuantized(Tensor quantized, Tensor tokenScales)
    {
        using var scope = NewDisposeScope();
        var accumulator = zeros(quantized.shape[0], OutFeatures, ScalarType.Float64);
        for (int start = 0; start < InFeatures; start += ExactChunk)
        {
            int width = Math.Min(ExactChunk, InFeatures - start);
            accumulator.add_(matmul(quantized.narrow(1, start, width), _weightsT.narrow(0, start, width)).to_type(ScalarType.Float64));
        }
        return (accumulator.to_type(ScalarType.Float32) * _channelScales * tokenScales)
            .to_type(ScalarType.Float16).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>rows: (M, K) -> int8 codes as float (M, K) and s_tok (M, 1); an all-zero row gets 0 and 0.</summary>
    public static (Tensor Quantized, Tensor TokenScales) QuantizePerToken(Tensor rows)
    {
        using var scope = NewDisposeScope();
        var tokenScales = rows.abs().amax([1], keepdim: true) / 127f;
        var safe = tokenScales.masked_fill(tokenScales.eq(0), 1f);
        var quantized = (rows / safe).round().clamp(-128, 127).masked_fill(tokenScales.eq(0), 0f);
        return (quantized.MoveToOuterDisposeScope(), tokenScales.MoveToOuterDisposeScope());
    }

    public void Dispose()
    {
        _weightsT.Dispose();
        _channelScales.Dispose();
        _bias?.Dispose();
    }
}
