using ILGPU;

namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>
/// IEEE fp16 conversions written with plain integer and float operations, so they run unchanged on the host,
/// on ILGPU's CPU accelerator and (if ever needed) on a GPU. ILGPU's own float-to-Half conversion on the CPU
/// accelerator truncates instead of rounding to nearest even, so kernels cannot use it for bit-exact output.
/// </summary>
internal static class Fp16Bits
{
    /// <summary>fp32 to fp16 bits, rounded to nearest even; overflow to infinity, NaN stays NaN.</summary>
    public static ushort FromFloat(float value)
    {
        uint bits = Interop.FloatAsInt(value);
        uint sign = (bits >> 16) & 0x8000u;
        uint magnitude = bits & 0x7FFFFFFFu;
        uint result;
        if (magnitude >= 0x7F800000u)
        {
            result = magnitude > 0x7F800000u ? 0x7E00u : 0x7C00u;
        }
        else if (magnitude >= 0x477FF000u)
        {
            // 65520 and above round to infinity.
            result = 0x7C00u;
        }
        else if (magnitude < 0x38800000u)
        {
            // Below 2^-14 the result is subnormal: adding 0.5 (whose ulp is 2^-24, the fp16 subnormal step)
            // makes the float adder round the value to a multiple of 2^-24, nearest even; the low mantissa
            // bits are then the fp16 encoding (0x400 when it rounds up to the smallest normal).
            result = Interop.FloatAsInt(Interop.IntAsFloat(magnitude) + 0.5f) - 0x3F000000u;
        }
        else
        {
            // Rebias the exponent (127 -> 15) and round away the 13 dropped mantissa bits to nearest even;
            // a carry out of the mantissa correctly bumps the exponent.
            uint odd = (magnitude >> 13) & 1u;
            result = (magnitude - 0x38000000u + 0x0FFFu + odd) >> 13;
        }
        return (ushort)(sign | result);
    }

    /// <summary>fp16 bits to fp32 (exact).</summary>
    public static float ToFloat(int bits)
    {
        uint sign = (uint)(bits & 0x8000) << 16;
        uint exponent = (uint)(bits >> 10) & 0x1Fu;
        uint mantissa = (uint)bits & 0x3FFu;
        if (exponent == 0)
        {
            // Subnormal or zero: mantissa * 2^-24 is exact in fp32.
            float magnitude = mantissa * 5.9604645e-08f;
            return Interop.IntAsFloat(Interop.FloatAsInt(magnitude) | sign);
        }
        if (exponent == 31) return Interop.IntAsFloat(sign | 0x7F800000u | (mantissa << 13));
        return Interop.IntAsFloat(sign | ((exponent + 112u) << 23) | (mantissa << 13));
    }
}
