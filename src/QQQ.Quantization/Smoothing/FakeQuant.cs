using static TorchSharp.torch;

namespace QQQ.Quantization.Smoothing;

/// <summary>
/// The fake quantizers of the smoothing loss (qqq-method.md §2), as the reference's symmetric MinMax
/// observers compute them: scale = max|v| / qmax (at least float32 epsilon), v_q = clamp(round(v / scale), -qmax, qmax) * scale.
/// </summary>
public static class FakeQuant
{
    const float Epsilon = 1.1920929e-07f;

    /// <summary>Per-token int8 in [-127, 127]. x: (..., C), one scale per row.</summary>
    public static Tensor PerToken(Tensor x) => Symmetric(x, 127);

    /// <summary>
    /// Int4 weights in [-7, 7]: one scale per output row, or per group of <paramref name="groupSize"/>
    /// columns when it is positive. w: (rows, C).
    /// </summary>
    public static Tensor Weights(Tensor w, int groupSize)
    {
        if (groupSize <= 0) return Symmetric(w, 7);
        using var scope = NewDisposeScope();
        return Symmetric(w.reshape(-1, groupSize), 7).reshape(w.shape).MoveToOuterDisposeScope();
    }

    static Tensor Symmetric(Tensor v, int qmax)
    {
        using var scope = NewDisposeScope();
        var scale = (v.abs().amax([-1], keepdim: true) / qmax).clamp_min(Epsilon);
        return ((v / scale).round().clamp(-qmax, qmax) * scale).MoveToOuterDisposeScope();
    }
}
