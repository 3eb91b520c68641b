using QQQ.Formats;
using static TorchSharp.torch;

namespace QQQ.Quantization.Reference;

/// <summary>A TorchSharp model that maps token ids to logits: the FP32 reference or the exact W4A8 simulation.</summary>
public interface ICausalLanguageModel : IDisposable
{
    ModelConfig Config { get; }

    /// <summary>ids: (batch, T) -> logits (batch, T, vocab), float32.</summary>
    Tensor Logits(Tensor ids);
}
