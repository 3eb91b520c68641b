using ILGPU.Runtime;
using QQQ.Runtime.Kernels.Layers;
using QQQ.TestSupport;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace QQQ.Runtime.Tests.Layers;

[Collection(LayersCollection.Name)]
public class GatedActivationTests(LayersFixture fixture)
{
    public static TheoryData<Formulation, int, int> Shapes => Formulations.Cross((1, 72), (5, 200), (17, 72));

    [Theory]
    [MemberData(nameof(Shapes))]
    public void KernelMatchesReference(Formulation formulation, int rows, int intermediate)
    {
        var target = fixture[formulation];
        var random = new Random();
        var gate = HalfData.RandomNonZero(random, rows * intermediate, 6f);
        var up = HalfData.RandomNonZero(random, rows * intermediate, 2f);
        using var gateBuffer = target.Upload(gate);
        using var upBuffer = target.Upload(up);
        using var quantized = target.Poisoned<sbyte>(gate.Length, Poison.Int8);
        using var scales = target.Poisoned(rows, float.NaN);

        target.Kernels.GatedActivation.ActivateQuantize(gateBuffer.View, upBuffer.View, rows, intermediate, quantized.View, scales.View);

        var expectedQ = new sbyte[gate.Length];
        var expectedScales = new float[rows];
        GatedActivationKernel.ReferenceQuantized(gate, up, intermediate, expectedQ, expectedScales);
        var activated = new double[gate.Length];
        GatedActivationKernel.Reference(gate, up, activated);
        Assert.True(Numerics.RelativeError(scales.GetAsArray1D(), Array.ConvertAll(expectedScales, s => (double)s)) < 1e-6);
        QuantizedAssert.EqualExceptAtTies(expectedQ, quantized.GetAsArray1D(), activated, intermediate);
    }

    [Fact]
    public void ReferenceMatchesTorchSharpSilu()
    {
        var random = new Random();
        var gate = HalfData.RandomNonZero(random, 300, 8f);
        var up = HalfData.RandomNonZero(random, 300, 2f);
        using var g = tensor(HalfData.ToFloat(gate));
        using var u = tensor(HalfData.ToFloat(up));
        using var torchOut = F.silu(g) * u;

        var expected = new double[gate.Length];
        GatedActivationKernel.Reference(gate, up, expected);
        Assert.True(Numerics.RelativeError(torchOut.data<float>().ToArray(), expected) < 1e-6);
    }

    [Theory]
    [MemberData(nameof(Formulations.Both), MemberType = typeof(Formulations))]
    public void MismatchedSizesAreRejected(Formulation formulation)
    {
        var target = fixture[formulation];
        using var gate = target.Upload(new ILGPU.Half[2 * 8]);
        using var up = target.Upload(new ILGPU.Half[2 * 8 - 1]);
        using var quantized = target.Poisoned<sbyte>(2 * 8, 0);
        using var scales = target.Poisoned(2, 0f);
        Assert.Throws<ArgumentException>(() =>
            target.Kernels.GatedActivation.ActivateQuantize(gate.View, up.View, 2, 8, quantized.View, scales.View));
    }
}
