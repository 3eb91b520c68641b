using Half = ILGPU.Half;

namespace QQQ.Runtime.Tests.Layers;

/// <summary>Random fp16 test data (what the W4A8 GEMM hands to the layer kernels) and conversions.</summary>
static class HalfData
{
    /// <summary>Non-zero values in [-scale, scale], rounded to fp16 (re-drawn if rounding gives 0).</summary>
    public static Half[] RandomNonZero(Random random, int count, float scale = 1f)
    {
        var values = new Half[count];
        for (int i = 0; i < count; i++)
        {
            do values[i] = (Half)((float)(random.NextDouble() * 2 - 1) * scale);
            while ((float)values[i] == 0f);
        }
        return values;
    }

    public static float[] ToFloat(Half[] values) => Array.ConvertAll(values, v => (float)v);

    public static Half[] Filled(int count, Half value)
    {
        var values = new Half[count];
        Array.Fill(values, value);
        return values;
    }
}
