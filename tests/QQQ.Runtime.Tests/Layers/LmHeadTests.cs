using ILGPU.Runtime;
using QQQ.Runtime.Kernels.Layers;
using QQQ.TestSupport;

namespace QQQ.Runtime.Tests.Layers;

[Collection(LayersCollection.Name)]
public class LmHeadTests(LayersFixture fixture)
{
    [Theory]
    [InlineData(1, 72, 37)]
    [InlineData(5, 72, 37)]
    [InlineData(17, 40, 9)]
    public void LogitsMatchFloat64Reference(int rows, int hidden, int vocab)
    {
        var random = new Random();
        var x = Numerics.RandomNonZero(random, rows * hidden, 2f);
        var weight = HalfData.RandomNonZero(random, vocab * hidden);
        using var xBuffer = fixture.Upload(x);
        using var weightBuffer = fixture.Upload(weight);
        using var logits = fixture.Poisoned(rows * vocab, float.NaN);

        fixture.Kernels.LmHead.Logits(xBuffer.View, weightBuffer.View, rows, hidden, logits.View);

        var expected = new double[rows * vocab];
        LmHeadKernel.Reference(x, weight, hidden, expected);
        Assert.True(Numerics.RelativeError(logits.GetAsArray1D(), expected) < 1e-6);
    }

    [Fact]
    public void MismatchedSizesAreRejected()
    {
        using var x = fixture.Upload(new float[2 * 16]);
        using var weight = fixture.Upload(new ILGPU.Half[5 * 16]);
        using var logits = fixture.Poisoned(2 * 5, 0f);
        var head = fixture.Kernels.LmHead;
        Assert.Throws<ArgumentException>(() => head.Logits(x.View, weight.View, 2, 16, logits.View.SubView(0, 9)));
        Assert.Throws<ArgumentException>(() => head.Logits(x.View, weight.View.SubView(0, 79), 2, 16, logits.View));
        Assert.Throws<ArgumentException>(() => head.Logits(x.View, weight.View, 3, 16, logits.View));
    }
}
