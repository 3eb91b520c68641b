using ILGPU.Runtime;
using QQQ.Runtime.Kernels.Layers;
using QQQ.TestSupport;
using static TorchSharp.torch;

namespace QQQ.Runtime.Tests.Layers;

[Collection(LayersCollection.Name)]
public class RmsNormTests(LayersFixture fixture)
{
    const float Eps = 1e-5f;

    public static TheoryData<Formulation, int, int> Shapes => Formulations.Cross((1, 72), (5, 72), (3, 300));
    public static TheoryData<Formulation, int, int> CpuShapes => Formulations.CpuOnly((17, 300));

    [Theory]
    [MemberData(nameof(Shapes))]
    [MemberData(nameof(CpuShapes))]
    public void NormalizeMatchesFloat64Reference(Formulation formulation, int rows, int hidden)
    {
        var target = fixture[formulation];
        var random = new Random();
        var x = Numerics.RandomNonZero(random, rows * hidden, 2f);
        var weight = Numerics.RandomNonZero(random, hidden);
        using var input = target.Upload(x);
        using var gamma = target.Upload(weight);
        using var output = target.Poisoned(x.Length, float.NaN);

        target.Kernels.RmsNorm.Normalize(input.View, gamma.View, rows, hidden, Eps, output.View);

        var expected = new double[x.Length];
        RmsNormKernels.Reference(x, weight, Eps, expected);
        Assert.True(Numerics.RelativeError(output.GetAsArray1D(), expected) < 1e-6);
    }

    [Theory]
    [MemberData(nameof(Formulations.Both), MemberType = typeof(Formulations))]
    public void NormalizeInPlaceMatchesReference(Formulation formulation)
    {
        var target = fixture[formulation];
        const int rows = 5, hidden = 300;
        var random = new Random();
        var x = Numerics.RandomNonZero(random, rows * hidden, 2f);
        var weight = Numerics.RandomNonZero(random, hidden);
        using var buffer = target.Upload(x);
        using var gamma = target.Upload(weight);

        target.Kernels.RmsNorm.Normalize(buffer.View, gamma.View, rows, hidden, Eps, buffer.View);

        var expected = new double[x.Length];
        RmsNormKernels.Reference(x, weight, Eps, expected);
        Assert.True(Numerics.RelativeError(buffer.GetAsArray1D(), expected) < 1e-6);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    [MemberData(nameof(CpuShapes))]
    public void NormalizeQuantizeMatchesReference(Formulation formulation, int rows, int hidden)
    {
        var target = fixture[formulation];
        var random = new Random();
        var x = Numerics.RandomNonZero(random, rows * hidden, 2f);
        var weight = Numerics.RandomNonZero(random, hidden);
        using var input = target.Upload(x);
        using var gamma = target.Upload(weight);
        using var quantized = target.Poisoned<sbyte>(x.Length, Poison.Int8);
        using var scales = target.Poisoned(rows, float.NaN);

        target.Kernels.RmsNorm.NormalizeQuantize(input.View, gamma.View, rows, hidden, Eps, quantized.View, scales.View);

        var expectedQ = new sbyte[x.Length];
        var expectedScales = new float[rows];
        RmsNormKernels.ReferenceQuantized(x, weight, Eps, expectedQ, expectedScales);
        var normalized = new double[x.Length];
        RmsNormKernels.Reference(x, weight, Eps, normalized);
        Assert.True(Numerics.RelativeError(scales.GetAsArray1D(), Array.ConvertAll(expectedScales, s => (double)s)) < 1e-6);
        QuantizedAssert.EqualExceptAtTies(expectedQ, quantized.GetAsArray1D(), normalized, hidden);
    }

    [Fact]
    public void ReferenceMatchesTorchSharpRmsNorm()
    {
        const int rows = 5, hidden = 72;
        var random = new Random();
        var x = Numerics.RandomNonZero(random, rows * hidden, 2f);
        var weight = Numerics.RandomNonZero(random, hidden);
        using var tx = tensor(x, [rows, hidden]);
        using var tw = tensor(weight, [hidden]);
        using var torchOut = QQQ.Quantization.Reference.LlamaBlocks.RmsNorm(tx, tw, Eps);

        var expected = new double[x.Length];
        RmsNormKernels.Reference(x, weight, Eps, expected);
        Assert.True(Numerics.RelativeError(torchOut.data<float>().ToArray(), expected) < 1e-6);
    }

    [Theory]
    [MemberData(nameof(Formulations.Both), MemberType = typeof(Formulations))]
    public void MismatchedSizesAreRejected(Formulation formulation)
    {
        var target = fixture[formulation];
        using var input = target.Upload(new float[3 * 16]);
        using var gamma = target.Upload(new float[16]);
        using var output = target.Poisoned(3 * 16, 0f);
        using var quantized = target.Poisoned<sbyte>(3 * 16, 0);
        using var scales = target.Poisoned(3, 0f);
        var norm = target.Kernels.RmsNorm;
        Assert.Throws<ArgumentException>(() => norm.Normalize(input.View, gamma.View.SubView(0, 15), 3, 16, Eps, output.View));
        Assert.Throws<ArgumentException>(() => norm.Normalize(input.View.SubView(0, 47), gamma.View, 3, 16, Eps, output.View));
        Assert.Throws<ArgumentException>(() => norm.Normalize(input.View, gamma.View, 3, 16, Eps, output.View.SubView(0, 32)));
        Assert.Throws<ArgumentException>(() => norm.Normalize(input.View, gamma.View, 3, 16, 0f, output.View));
        Assert.Throws<ArgumentException>(() => norm.NormalizeQuantize(input.View, gamma.View, 3, 16, Eps, quantized.View, scales.View.SubView(0, 2)));
    }
}
