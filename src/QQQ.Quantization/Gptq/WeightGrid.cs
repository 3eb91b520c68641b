using static TorchSharp.torch;

namespace QQQ.Quantization.Gptq;

/// <summary>
/// The int4 weight grids of the QQQ method (qqq-method.md §3) on TorchSharp tensors.
/// Per-channel: symmetric, scale = max|w_row| / 7, q = clamp(round(w / scale), -7, 7).
/// Per-group: scale = 2 max|w_group| / 15, zero point 8, q = clamp(round(w / scale) + 8, 0, 15).
/// round is half-to-even (torch.round). Scales are rounded to fp16 at once, as
/// <see cref="QQQ.Formats.W4A8.WeightGrid"/> does (what the artifact stores is what the codes were made with);
/// an all-zero row or group takes max|w| = 1, and no scale is below the smallest positive fp16 value.
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
        max = max.masked_fill(max.eq(0), 1f);
        var scale = PerGroup ? max * 2f / 15f : max / 7f;
        return scale.to_type(ScalarType.Float16).to_type(ScalarType.Float32).clamp_min((float)Half.Epsilon).MoveToOuterDisposeScope();
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
