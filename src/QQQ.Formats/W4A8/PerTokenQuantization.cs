namespace QQQ.Formats.W4A8;

/// <summary>
/// Dynamic symmetric int8 quantization of activations, one scale per token (row), exactly as the
/// reference computes it from fp16 activations:
/// <list type="number">
/// <item><c>s_tok = float(fp16(max|x| / 127))</c>: the division happens in fp16 (the reference divides an fp16
/// tensor), so the scale is rounded to fp16 before it is widened to fp32;</item>
/// <item><c>x_q = clamp(round_half_even(float(x) / s_tok), -128, 127)</c>, a true fp32 division (no reciprocal).</item>
/// </list>
/// Because <c>s_tok</c> is rounded to fp16, <c>|x| / s_tok</c> can slightly exceed 127, hence the clamp.
/// A row with <c>s_tok == 0</c> (all zeros, or <c>max|x|</c> so small that the fp16 scale underflows) gets
/// <c>x_q = 0</c> and <c>s_tok = 0</c>, so its output is exactly zero; the reference divides by zero there.
/// </summary>
public static class PerTokenQuantization
{
    /// <summary>Quantizes one token. <paramref name="x"/>: (K) fp16; <paramref name="quantized"/>: (K) int8. Returns s_tok.</summary>
    public static float QuantizeRow(ReadOnlySpan<Half> x, Span<sbyte> quantized)
    {
        if (quantized.Length != x.Length)
            throw new ArgumentException($"output length {quantized.Length} differs from input length {x.Length}", nameof(quantized));
        float maxAbs = 0;
        foreach (var value in x)
            maxAbs = MathF.Max(maxAbs, MathF.Abs((float)value));
        // fp16 / fp16 computed in fp32 and rounded once to fp16 is the correctly rounded fp16 quotient
        // (24 >= 2 * 11 + 2 bits), i.e. what an fp16 division gives.
        float scale = (float)(Half)(maxAbs / 127f);
        if (scale == 0)
        {
            quantized.Clear();
            return 0;
        }
        for (int i = 0; i < x.Length; i++)
            quantized[i] = (sbyte)Math.Clamp(MathF.Round((float)x[i] / scale, MidpointRounding.ToEven), -128f, 127f);
        return scale;
    }

    /// <summary>
    /// Quantizes <paramref name="rows"/> tokens. <paramref name="x"/>: (M, K) fp16 row-major;
    /// <paramref name="quantized"/>: (M, K) int8; <paramref name="tokenScales"/>: (M) fp32.
    /// </summary>
    public static void Quantize(ReadOnlySpan<Half> x, int rows, Span<sbyte> quantized, Span<float> tokenScales)
    {
        if (rows <= 0 || x.Length % rows != 0)
            throw new ArgumentException($"{x.Length} activations do not form {rows} rows", nameof(rows));
        if (quantized.Length != x.Length)
            throw new ArgumentException($"output length {quantized.Length} differs from input length {x.Length}", nameof(quantized));
        if (tokenScales.Length != rows)
            throw new ArgumentException($"{tokenScales.Length} token scales for {rows} rows", nameof(tokenScales));
        int cols = x.Length / rows;
        for (int m = 0; m < rows; m++)
            tokenScales[m] = QuantizeRow(x.Slice(m * cols, cols), quantized.Slice(m * cols, cols));
    }
}
