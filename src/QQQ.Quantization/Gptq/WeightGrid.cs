using static TorchSharp.torch;

namespace QQQ.Quantization.Gptq;

/// <summary>
/// The int4 weight grids of the QQQ method (qqq-method.md §3) on TorchSharp tensors.
/// Per-channel: symmetric, scale = max|w_row| / 7, q = clamp(round(w / scale), -7, 7).
/// Per-group: scale = 2 max|w_group| / 15, zero point 8, q = clamp(round(w / scale) + 8, 0, 15).
/// round is half-to-even (torch.round). Rows whose maximum is 0 get scale 1 (all-zero weights stay 0).
/// </summary>
public sealed class WeightGrid
{
    WeightGrid(bool perGroup) => PerGroup = perGroup;

    public static WeightGrid PerChannel { get; } = new(false);
    public static WeightGrid Grouped { get; } = new(true);

    public bool PerGroup { get; }

    /// <summary>Scales for a block of weights w: (rows, cols) -> (rows, 1), computed over the cols.</summary>
    public Tensor Scales(Tensor w)
    {
        using var scope = NewDisposeScope();
        var max = w.abs().amax([1], keepdim: true);
        var scale = PerGroup ? max * (2f / 15f) : max / 7f;
        return scale.masked_fill(scale.eq(0), 1f).MoveToOuterDisposeScope();
    }

    /// <summary>Integer codes of w under the given scales (broadcast over columns).</summary>
    public Tensor Codes(Tensor w, Tensor scale)
    {
        using var scope = NewDisposeScope();
        var r = (w / scale).round();
        return (PerGroup ? (r + 8).clamp(0, 15) : r.clamp(-7, 7)).MoveToOuterDisposeScope();
    }

    /// <summary>The fake-quantized value (codes mapped back to real numbers).</summary>
    public Tensor Dequantize(Tensor codes, Tensor scale)
    {
        using var scope = NewDisposeScope();
        return ((PerGroup ? codes - 8 : codes) * scale).MoveToOuterDisposeScope();
    }

    /// <summary>Round-to-nearest fake quantization of w with the given scales.</summary>
    public Tensor FakeQuantize(Tensor w, Tensor scale)
    {
        using var scope = NewDisposeScope();
        return Dequantize(Codes(w, scale), scale).MoveToOuterDisposeScope();
    }
}
