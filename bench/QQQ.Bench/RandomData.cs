using ILGPU;
using ILGPU.Runtime;
using Half = ILGPU.Half;

namespace QQQ.Bench;

/// <summary>
/// Inputs and poisoned outputs for the layer self-test, drawn as the layer tests draw them (QQQ.TestSupport's
/// Numerics.RandomNonZero and the tests' HalfData, which the published tool does not carry).
/// </summary>
static class RandomData
{
    /// <summary>Non-zero uniform values in [-scale, scale].</summary>
    public static float[] Floats(Random random, int count, float scale = 1f)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            do values[i] = (float)(random.NextDouble() * 2 - 1) * scale; while (values[i] == 0f);
        return values;
    }

    /// <summary>Non-zero uniform values in [-scale, scale] rounded to fp16 (what the W4A8 GEMM hands the layer kernels).</summary>
    public static Half[] Halves(Random random, int count, float scale = 1f)
    {
        var values = new Half[count];
        for (int i = 0; i < count; i++)
            do values[i] = (Half)((float)(random.NextDouble() * 2 - 1) * scale); while ((float)values[i] == 0f);
        return values;
    }

    /// <summary>A device buffer of <paramref name="length"/> copies of <paramref name="poison"/>, so unwritten elements show up.</summary>
    public static MemoryBuffer1D<T, Stride1D.Dense> Poisoned<T>(Accelerator accelerator, long length, T poison) where T : unmanaged
    {
        var values = new T[length];
        Array.Fill(values, poison);
        return accelerator.Allocate1D(values);
    }
}
