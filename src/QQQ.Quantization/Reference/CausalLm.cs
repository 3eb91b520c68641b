using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace QQQ.Quantization.Reference;

/// <summary>Scoring shared by every TorchSharp model (FP32 reference, exact W4A8 simulation).</summary>
public static class CausalLm
{
    /// <summary>
    /// Sum of next-token negative log-likelihoods of each window: positions 0..T-2 predict 1..T-1.
    /// windows: (batch, T) ids; logits: (batch, T) -> (batch, T, vocab). Returns (batch) in float64.
    /// </summary>
    public static double[] WindowNll(Func<Tensor, Tensor> logits, Tensor windows)
    {
        using var scope = NewDisposeScope();
        long length = windows.shape[1];
        // log-softmax in float32 (as transformers' loss does), summed in float64.
        var logProbs = F.log_softmax(logits(windows).narrow(1, 0, length - 1), -1);
        var targets = windows.narrow(1, 1, length - 1).unsqueeze(-1);
        var nll = -logProbs.gather(-1, targets).squeeze(-1).to_type(ScalarType.Float64).sum(1);
        return nll.data<double>().ToArray();
    }
}
