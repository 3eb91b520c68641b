using ILGPU.Runtime;
using QQQ.Runtime.Kernels.Layers;
using QQQ.TestSupport;

namespace QQQ.Runtime.Tests.Layers;

[Collection(LayersCollection.Name)]
public class ResidualAddTests(LayersFixture fixture)
{
    public static TheoryData<Formulation, int, int> Shapes => Formulations.Cross((1, 72), (17, 72));

    // Several of the CPU formulation's chunks of ResidualAddKernel.CpuChunk elements, the last one partial.
    public static TheoryData<Formulation, int, int> CpuShapes => Formulations.CpuOnly((1200, 72));

    [Theory]
    [MemberData(nameof(Shapes))]
    [MemberData(nameof(CpuShapes))]
    public void KernelMatchesReferenceExactly(Formulation formulation, int rows, int hidden)
    {
        var target = fixture[formulation];
        var random = new Random();
        var h = Numerics.RandomNonZero(random, rows * hidden, 4f);
        var delta = HalfData.RandomNonZero(random, rows * hidden);
        using var residual = target.Upload(h);
        using var deltaBuffer = target.Upload(delta);

        target.Kernels.ResidualAdd.Add(residual.View, deltaBuffer.View);

        // One correctly rounded fp32 add per element on both sides: bit-exact.
        var expected = (float[])h.Clone();
        ResidualAddKernel.Reference(expected, delta);
        Assert.Equal(expected, residual.GetAsArray1D());
    }

    [Theory]
    [MemberData(nameof(Formulations.Both), MemberType = typeof(Formulations))]
    public void MismatchedSizesAreRejected(Formulation formulation)
    {
        var target = fixture[formulation];
        using var residual = target.Upload(new float[10]);
        using var delta = target.Upload(new ILGPU.Half[9]);
        Assert.Throws<ArgumentException>(() => target.Kernels.ResidualAdd.Add(residual.View, delta.View));
    }
}
