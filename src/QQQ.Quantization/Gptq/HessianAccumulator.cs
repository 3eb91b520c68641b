using static TorchSharp.torch;

namespace QQQ.Quantization.Gptq;

/// <summary>
/// Running <c>H = (2/n) Σ x xᵀ</c> over the calibration tokens that enter one set of linears, in float32,
/// updated batch by batch as GPTQ does (so memory holds one batch of activations at a time).
/// </summary>
public sealed class HessianAccumulator : IDisposable
{
    Tensor _hessian;   // (K, K)
    long _tokens;

    public HessianAccumulator(int inFeatures) => _hessian = zeros(inFeatures, inFeatures, ScalarType.Float32);

    public long Tokens => _tokens;

    /// <summary>x: (..., K) activations of one batch.</summary>
    public void Add(Tensor x)
    {
        using var scope = NewDisposeScope();
        var rows = x.reshape(-1, x.shape[^1]).to_type(ScalarType.Float32);
        long n = rows.shape[0];
        // H <- H * old/(old+n) + (2/(old+n)) * Xᵀ X, as the reference's running mean.
        _hessian.mul_((double)_tokens / (_tokens + n));
        _tokens += n;
        var scaled = rows * (float)Math.Sqrt(2.0 / _tokens);
        _hessian.add_(matmul(scaled.t(), scaled));
    }

    /// <summary>A copy of the current Hessian (K, K).</summary>
    public Tensor Snapshot() => _hessian.clone();

    public void Dispose() => _hessian.Dispose();
}
