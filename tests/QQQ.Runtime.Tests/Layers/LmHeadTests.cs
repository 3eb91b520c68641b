using ILGPU.Runtime;
using QQQ.Runtime.Kernels.Layers;
using QQQ.TestSupport;

namespace QQQ.Runtime.Tests.Layers;

[Collection(LayersCollection.Name)]
public class LmHeadTests(LayersFixture fixture)
{
    public static TheoryData<Formulation, int, int, int> Shapes => Formulations.Cross((1, 72, 37), (5, 72, 37));
    public static TheoryData<Formulation, int, int, int> CpuShapes => Formulations.CpuOnly((17, 40, 9));

    [Theory]
    [MemberData(nameof(Shapes))]
    [MemberData(nameof(CpuShapes))]
    public void LogitsMatchFloat64Reference(Formulation formulation, int rows, int hidden, int vocab)
    {
        var target = fixture[formulation];
        var random = new Random();
        var x = Numerics.RandomNonZero(random, rows * hidden, 2f);
        var weight = HalfData.RandomNonZero(random, vocab * hidden);
        using var xBuffer = target.Upload(x);
        using var weightBuffer = target.Upload(weight);
        using var logits = target.Poisoned(rows * vocab, float.NaN);

        target.Kernels.LmHead.Logits(xBuffer.View, weightBuffer.View, rows, hidden, logits.View);

        var expected = new double[rows * vocab];
        LmHeadKernel.Reference(x, weight, hidden, expected);
        Assert.True(Numerics.RelativeError(logits.GetAsArray1D(), expected) < 1e-6);
    }

    [Theory]
    [MemberData(nameof(Formulations.Both), MemberType = typeof(Formulations))]
    public void MismatchedSizesAreRejected(Formulation formulation)
    {
        var target = fixture[formulation];
        using var x = target.Upload(new float[2 * 16]);
        using var weight = target.Upload(new ILGPU.Half[5 * 16]);
        using var logits = target.Poisoned(2 * 5, 0f);
        var head = target.Kernels.LmHead;
        Assert.Throws<ArgumentException>(() => head.Logits(x.View, weight.View, 2, 16, logits.View.SubView(0, 9)));
        Assert.Throws<ArgumentException>(() => head.Logits(x.View, weight.View.SubView(0, 79), 2, 16, logits.View));
        Assert.Throws<ArgumentException>(() => head.Logits(x.View, weight.View, 3, 16, logits.View));
    }
}
