using QQQ.Runtime.Kernels.Gemm;

namespace QQQ.Runtime.Tests.Gemm;

/// <summary>The kernels' managed fp16 conversions agree with System.Half (round to nearest even).</summary>
public class Fp16BitsTests
{
    [Fact]
    public void FromFloatRoundsLikeSystemHalf()
    {
        int seed = Random.Shared.Next();
        var random = new Random(seed);
        var values = new List<float>
        {
            0f, -0f, float.Epsilon, 65504f, 65519.996f, 65520f, -65520f, float.PositiveInfinity, float.NegativeInfinity,
            6.1035156e-05f, 6.097555e-05f, 5.9604645e-08f, 2.9802322e-08f, 2.9802326e-08f, 8.940697e-08f, 1.0009766f, 1.0004883f,
        };
        for (int i = 0; i < 200_000; i++) values.Add(BitConverter.Int32BitsToSingle(random.Next() | (random.Next(2) << 31)));
        for (int i = 0; i < 200_000; i++) values.Add((float)((random.NextDouble() * 2 - 1) * Math.Pow(2, random.Next(-27, 17))));
        // Exact ties between two fp16 values: odd multiples of half an fp16 ulp.
        for (int i = 0; i < 20_000; i++)
        {
            var h = BitConverter.UInt16BitsToHalf((ushort)random.Next(0, 0x7BFF));
            values.Add((float)(((double)h + (double)BitConverter.UInt16BitsToHalf((ushort)(BitConverter.HalfToUInt16Bits(h) + 1))) / 2));
        }

        foreach (float v in values)
        {
            if (float.IsNaN(v))
            {
                // NaN payloads are not part of the contract (and never reach the output of a finite GEMM).
                Assert.True(Half.IsNaN(BitConverter.UInt16BitsToHalf(Fp16Bits.FromFloat(v))));
                continue;
            }
            ushort expected = BitConverter.HalfToUInt16Bits((Half)v);
            Assert.True(expected == Fp16Bits.FromFloat(v), $"seed {seed}: {v:R} -> 0x{Fp16Bits.FromFloat(v):X4}, System.Half 0x{expected:X4}");
        }
    }

    [Fact]
    public void ToFloatIsExactForEveryHalf()
    {
        for (int bits = 0; bits <= 0xFFFF; bits++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf((ushort)bits);
            float actual = Fp16Bits.ToFloat(bits);
            if (float.IsNaN(expected)) Assert.True(float.IsNaN(actual));
            else Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(actual));
        }
    }
}
