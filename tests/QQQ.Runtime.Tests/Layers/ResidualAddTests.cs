using ILGPU.Runtime;
using QQQ.Runtime.Kernels.Layers;
using QQQ.TestSupport;

namespace QQQ.Runtime.Tests.Layers;

[Collection(LayersCollection.Name)]
public class ResidualAddTests(LayersFixture fixture)
{
    [Theory]
    [InlineData(1, 72)]
    [InlineData(17, 72)]
    public void KernelMatchesReferenceExactly(int rows, int hidden)
    {
        var random = new Random();
        var h = Numerics.RandomNonZero(random, rows * hidden, 4f);
        var delta = HalfData.RandomNonZero(random, rows * hidden);
        using var residual = fixture.Upload(h);
        using var deltaBuffer = fixture.Upload(delta);

        fixture.Kernels.ResidualAdd.Add(residual.View, deltaBuffer.View);

        // One correctly rounded fp32 add per element on both sides: bit-exact.
        var expected = (float[])h.Clone();
        ResidualAddKernel.Reference(expected, delta);
        Assert.Equal(expected, residual.GetAsArray1D());
    }

    [Fact]
    public void MismatchedSizesAreRejected()
    {
        using var residual = fixture.Upload(new float[10]);
        using var delta = fixture.Upload(new ILGPU.Half[9]);
        Assert.Throws<ArgumentException>(() => fixture.Kernels.ResidualAdd.Add(residual.View, delta.View));
    }
}
