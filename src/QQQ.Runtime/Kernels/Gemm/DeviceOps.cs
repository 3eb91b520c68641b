using ILGPU;
using ILGPU.Runtime.Cuda;

namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>
/// Kernel building blocks with a PTX implementation (inline asm, taken when <see cref="CudaAsm.IsSupported"/>)
/// and a managed one for the CPU accelerator, where any CudaAsm call aborts the process. ILGPU folds
/// <see cref="CudaAsm.IsSupported"/> per backend, so each compiled kernel contains one of the two.
/// </summary>
internal static class DeviceOps
{
    /// <summary>Dot product of the four signed bytes of a and b.</summary>
    public static int Dot4(int a, int b) =>
        (sbyte)a * (sbyte)b + (sbyte)(a >> 8) * (sbyte)(b >> 8) +
        (sbyte)(a >> 16) * (sbyte)(b >> 16) + (a >> 24) * (b >> 24);

    /// <summary>c + Dot4(a, b) (dp4a).</summary>
    public static int Dp4a(int a, int b, int c)
    {
        if (CudaAsm.IsSupported)
        {
            CudaAsm.Emit("dp4a.s32.s32 %0, %1, %2, %3;", out int d, a, b, c);
            return d;
        }
        return c + Dot4(a, b);
    }

    /// <summary>Two floats rounded to nearest-even fp16, packed low | high &lt;&lt; 16 (adjacent output columns).</summary>
    public static int HalfPair(float low, float high)
    {
        if (CudaAsm.IsSupported)
        {
            // cvt.rn.f16x2.f32 puts its first source in the upper half.
            CudaAsm.Emit("cvt.rn.f16x2.f32 %0, %1, %2;", out int packed, high, low);
            return packed;
        }
        return Fp16Bits.FromFloat(low) | Fp16Bits.FromFloat(high) << 16;
    }

    /// <summary>
    /// One packed word (8 nibbles, see <see cref="W4A8Layout"/>) to its two int8x4 B-fragment registers.
    /// Per-channel: the FastINT4toINT8 trick, each lane becomes 16 * q. Per-group: round_half_even((q - 8) * s)
    /// with <paramref name="scaleBits"/> the fp16 group scale of the word's column.
    /// </summary>
    public static BFragment ToInt8<TGranularity>(int word, int scaleBits)
        where TGranularity : struct, IWeightGranularity
    {
        const int HighNibbles = unchecked((int)0xF0F0F0F0);
        if (default(TGranularity).GroupSize == 0)
            return new BFragment { Lo = (word << 4) & HighNibbles, Hi = word & HighNibbles };
        if (CudaAsm.IsSupported)
            return GroupedToInt8Ptx(word, scaleBits);

        float scale = Fp16Bits.ToFloat(scaleBits);
        int lo = 0, hi = 0;
        for (int b = 0; b < 4; b++)
        {
            int nibbles = word >> (8 * b);
            lo |= (RoundHalfEven(((nibbles & 0xF) - 8) * scale) & 0xFF) << (8 * b);
            hi |= (RoundHalfEven((((nibbles >> 4) & 0xF) - 8) * scale) & 0xFF) << (8 * b);
        }
        return new BFragment { Lo = lo, Hi = hi };
    }

    /// <summary>
    /// The reference kernel's fp16 magic-number conversion, 8 weights at once: a nibble OR 0x6400 is the fp16
    /// 1024 + q; subtracting 1032 gives q - 8 exactly (high nibbles: (1024 + 16q) / 16 - 72); an fp16 fma with the
    /// group scale and 1152 rounds (q - 8) * s to nearest even into the units of 1152 + r (ulp 1 in [1024, 2048));
    /// the low byte of each half is then r + 128, and XOR 0x80 gives the int8 r.
    /// </summary>
    static BFragment GroupedToInt8Ptx(int word, int scaleBits)
    {
        Output<int> lo = default, hi = default;
        Input<int> packed = word;
        Input<int> scale2 = (scaleBits & 0xFFFF) * 0x10001;
        CudaAsm.EmitRef(
            "{\n\t" +
            ".reg .b32 q13, l02, l13, h02, h13, c, d;\n\t" +
            "shr.u32 q13, %2, 8;\n\t" +
            "lop3.b32 l02, %2, 0x000f000f, 0x64006400, 0xea;\n\t" +
            "lop3.b32 l13, q13, 0x000f000f, 0x64006400, 0xea;\n\t" +
            "lop3.b32 h02, %2, 0x00f000f0, 0x64006400, 0xea;\n\t" +
            "lop3.b32 h13, q13, 0x00f000f0, 0x64006400, 0xea;\n\t" +
            "mov.b32 c, 0x64086408;\n\t" +
            "sub.f16x2 l02, l02, c;\n\t" +
            "sub.f16x2 l13, l13, c;\n\t" +
            "mov.b32 c, 0x2c002c00;\n\t" +
            "mov.b32 d, 0xd480d480;\n\t" +
            "fma.rn.f16x2 h02, h02, c, d;\n\t" +
            "fma.rn.f16x2 h13, h13, c, d;\n\t" +
            "mov.b32 c, 0x64806480;\n\t" +
            "fma.rn.f16x2 l02, l02, %3, c;\n\t" +
            "fma.rn.f16x2 l13, l13, %3, c;\n\t" +
            "fma.rn.f16x2 h02, h02, %3, c;\n\t" +
            "fma.rn.f16x2 h13, h13, %3, c;\n\t" +
            "prmt.b32 %0, l02, l13, 0x6240;\n\t" +
            "prmt.b32 %1, h02, h13, 0x6240;\n\t" +
            "xor.b32 %0, %0, 0x80808080;\n\t" +
            "xor.b32 %1, %1, 0x80808080;\n\t" +
            "}",
            ref lo, ref hi, ref packed, ref scale2);
        return new BFragment { Lo = lo.Value, Hi = hi.Value };
    }

    /// <summary>Round half to even for |v| &lt; 2^22: adding 1.5 * 2^23 leaves no fraction bits, the adder rounds.</summary>
    static int RoundHalfEven(float v) => (int)(v + 12582912f - 12582912f);

    /// <summary>D = A * B + C for one m16n8k32 int8 tile (tensor cores); CUDA only, callers check IsSupported.</summary>
    public static Accumulator Mma(Accumulator c, AFragment a, BFragment b)
    {
        Ref<int> c0 = c.C0, c1 = c.C1, c2 = c.C2, c3 = c.C3;
        Input<int> a0 = a.R0, a1 = a.R1, a2 = a.R2, a3 = a.R3, b0 = b.Lo, b1 = b.Hi;
        CudaAsm.EmitRef(
            "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};",
            ref c0, ref c1, ref c2, ref c3, ref a0, ref a1, ref a2, ref a3, ref b0, ref b1);
        return new Accumulator { C0 = c0.Value, C1 = c1.Value, C2 = c2.Value, C3 = c3.Value };
    }
}
