using static TorchSharp.torch;

namespace QQQ.Quantization.Gptq;

/// <summary>
/// A linear quantized by GPTQ, in the original column order.
/// Codes: (N, K) integers as float (per-channel in [-7, 7], per-group in [0, 15]);
/// Scales: (N, 1) per-channel or (N, K / groupSize) per-group; FakeQuantized = the dequantized weights (N, K).
/// Error: GPTQ's loss, Σ (w - q)² / Hinv_ii² / 2 over all weights.
/// </summary>
public sealed record GptqResult(Tensor Codes, Tensor Scales, Tensor FakeQuantized, double Error) : IDisposable
{
    public void Dispose()
    {
        Codes.Dispose();
        Scales.Dispose();
        FakeQuantized.Dispose();
    }
}
