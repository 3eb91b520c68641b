namespace QQQ.Quantization.Pipeline;

/// <summary>
/// One linear after quantization, in natural order. Codes: (Rows, Columns) row-major; per-channel in
/// [-7, 7], per-group in [0, 15] (zero point 8). Scales: (Rows, Columns / GroupSize) per-group, (Rows) per-channel.
/// Error: GPTQ's compensated loss (0 for round-to-nearest).
/// </summary>
public sealed record QuantizedLinear(string Name, int Rows, int Columns, int GroupSize, sbyte[] Codes, float[] Scales, double Error)
{
    /// <summary>The dequantized weights (Rows, Columns): code (minus the zero point) times its scale.</summary>
    public float[] Dequantize()
    {
        var result = new float[Rows * Columns];
        int groups = GroupSize > 0 ? Columns / GroupSize : 1;
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < Columns; c++)
            {
                float scale = Scales[r * groups + (GroupSize > 0 ? c / GroupSize : 0)];
                int code = Codes[r * Columns + c];
                result[r * Columns + c] = (GroupSize > 0 ? code - 8 : code) * scale;
            }
        return result;
    }
}
