using ILGPU.Runtime;
using QQQ.Runtime.Kernels.Layers;
using QQQ.TestSupport;

namespace QQQ.Runtime.Tests.Layers;

[Collection(LayersCollection.Name)]
public class TokenQuantizerTests(LayersFixture fixture)
{
    public static TheoryData<Formulation, int, int> Shapes => Formulations.Cross((1, 72), (5, 72), (3, 300));
    public static TheoryData<Formulation, int, int> CpuShapes => Formulations.CpuOnly((17, 300));

    [Theory]
    [MemberData(nameof(Shapes))]
    [MemberData(nameof(CpuShapes))]
    public void KernelMatchesReferenceExactly(Formulation formulation, int rows, int columns)
    {
        var target = fixture[formulation];
        var random = new Random();
        var x = Numerics.RandomNonZero(random, rows * columns, 3f);
        using var input = target.Upload(x);
        using var quantized = target.Poisoned<sbyte>(x.Length, Poison.Int8);
        using var scales = target.Poisoned(rows, float.NaN);

        target.Kernels.TokenQuantizer.Quantize(input.View, rows, columns, quantized.View, scales.View);

        var expectedQ = new sbyte[x.Length];
        var expectedScales = new float[rows];
        TokenQuantizer.Reference(x, columns, expectedQ, expectedScales);
        // Same fp32 inputs and the same IEEE division on both sides: bit-exact, no tie allowance needed.
        Assert.Equal(expectedScales, scales.GetAsArray1D());
        Assert.Equal(expectedQ, quantized.GetAsArray1D());
    }

    [Theory]
    [MemberData(nameof(Formulations.Both), MemberType = typeof(Formulations))]
    public void ZeroRowHasZeroScaleAndZeroCodes(Formulation formulation)
    {
        var target = fixture[formulation];
        const int columns = 40;
        var x = new float[2 * columns];
        Numerics.RandomNonZero(new Random(), columns).CopyTo(x, columns);   // row 0 zeros, row 1 random
        using var input = target.Upload(x);
        using var quantized = target.Poisoned<sbyte>(x.Length, Poison.Int8);
        using var scales = target.Poisoned(2, float.NaN);

        target.Kernels.TokenQuantizer.Quantize(input.View, 2, columns, quantized.View, scales.View);

        var q = quantized.GetAsArray1D();
        Assert.Equal(0f, scales.GetAsArray1D()[0]);
        Assert.All(q[..columns], v => Assert.Equal(0, v));
        Assert.Contains(q[columns..], v => Math.Abs((int)v) == 127);
    }

    [Theory]
    [MemberData(nameof(Formulations.Both), MemberType = typeof(Formulations))]
    public void MismatchedBufferSizesAreRejectedBeforeLaunch(Formulation formulation)
    {
        var target = fixture[formulation];
        using var input = target.Upload(new float[5 * 8]);
        using var quantized = target.Poisoned<sbyte>(5 * 8, 0);
        using var scales = target.Poisoned(4, 0f);
        var quantizer = target.Kernels.TokenQuantizer;
        Assert.Throws<ArgumentException>(() => quantizer.Quantize(input.View, 5, 8, quantized.View, scales.View));
        Assert.Throws<ArgumentException>(() => quantizer.Quantize(input.View, 5, 9, quantized.View, scales.View.SubView(0, 4)));
        Assert.Throws<ArgumentException>(() => quantizer.Quantize(input.View, 0, 8, quantized.View, scales.View));
    }
}
