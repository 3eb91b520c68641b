using ILGPU.Algorithms;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// Per-token symmetric int8 activation quantization (method §1), as plain static functions that run
/// both inside kernels and on the host (the managed references call the same code, so changing the
/// op order here changes kernels and references together).
/// A row of zeros has absmax 0: its scale is 0 and every value quantizes to 0 (no 0/0 NaN); the GEMM
/// epilogue multiplies by s_tok = 0, so the row's output is exactly 0 as it should be.
/// </summary>
public static class TokenQuantization
{
    /// <summary>Largest int8 magnitude used by the symmetric grid.</summary>
    public const float Int8Max = 127f;

    /// <summary>s_tok = max|x| / 127 in fp32.</summary>
    public static float Scale(float absMax) => absMax / Int8Max;

    /// <summary>clamp(round_half_even(x / s_tok), -128, 127); 0 when s_tok is 0.</summary>
    public static sbyte Quantize(float value, float scale)
    {
        if (scale == 0f) return 0;
        float rounded = XMath.Round(value / scale);   // halfway cases to even
        return (sbyte)XMath.Min(XMath.Max(rounded, -128f), 127f);
    }
}
