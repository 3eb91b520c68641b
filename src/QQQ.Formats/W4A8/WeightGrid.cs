namespace QQQ.Formats.W4A8;

/// <summary>
/// The int4 weight grids (method section 3), element by element so that GPTQ can quantize column by column.
/// Scales are rounded to fp16 as soon as they are computed, because that is what a checkpoint stores and
/// what the kernel multiplies with; quantizing against the rounded scale keeps codes and stored scales consistent.
/// An all-zero row or group gets the reference's fallback <c>max|w| = 1</c>, and a scale that would underflow
/// fp16 becomes the smallest positive fp16 value, so no scale is ever zero.
/// </summary>
public static class WeightGrid
{
    /// <summary>Largest per-channel code magnitude: codes lie in [-7, 7].</summary>
    public const int ChannelMaxCode = 7;

    /// <summary>Largest per-group code: codes lie in [0, 15].</summary>
    public const int GroupMaxCode = 15;

    /// <summary>Per-group zero point: the weight is <c>(code - 8) * scale</c>.</summary>
    public const int GroupZeroPoint = 8;

    /// <summary>Per-channel scale of one row: <c>fp16(max|w| / 7)</c>.</summary>
    public static Half ChannelScale(ReadOnlySpan<float> row) => ToScale(MaxAbsOrOne(row) / ChannelMaxCode);

    /// <summary>Per-group scale of one group of a row: <c>fp16(2 * max|w| / 15)</c>.</summary>
    public static Half GroupScale(ReadOnlySpan<float> group) => ToScale(2 * MaxAbsOrOne(group) / GroupMaxCode);

    /// <summary>Per-channel code: <c>clamp(round_half_even(w / scale), -7, 7)</c>.</summary>
    public static int QuantizeChannel(float weight, Half scale) =>
        (int)Math.Clamp(MathF.Round(weight / (float)scale, MidpointRounding.ToEven), -ChannelMaxCode, ChannelMaxCode);

    /// <summary>Per-group code: <c>clamp(round_half_even(w / scale) + 8, 0, 15)</c>.</summary>
    public static int QuantizeGroup(float weight, Half scale) =>
        (int)Math.Clamp(MathF.Round(weight / (float)scale, MidpointRounding.ToEven) + GroupZeroPoint, 0, GroupMaxCode);

    /// <summary>The weight a per-channel code stands for: <c>code * scale</c> (fp32).</summary>
    public static float DequantizeChannel(int code, Half scale) => code * (float)scale;

    /// <summary>The weight a per-group code stands for: <c>(code - 8) * scale</c> (fp32).</summary>
    public static float DequantizeGroup(int code, Half scale) => (code - GroupZeroPoint) * (float)scale;

    static Half ToScale(float scale)
    {
        var rounded = (Half)scale;
        if (!Half.IsFinite(rounded))
            throw new ArgumentException($"weights give the scale {scale}, which is not a finite fp16 value");
        return Half.Max(rounded, Half.Epsilon);
    }

    static float MaxAbsOrOne(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) throw new ArgumentException("no values to take a scale from", nameof(values));
        float max = 0;
        foreach (var v in values)
            max = MathF.Max(max, MathF.Abs(v));
        return max == 0 ? 1 : max;
    }
}
