using ILGPU.Runtime;
using QQQ.Runtime.Kernels.Layers;

namespace QQQ.Runtime.Tests.Layers;

[Collection(LayersCollection.Name)]
public class EmbeddingTests(LayersFixture fixture)
{
    const int Vocab = 37, Hidden = 72;

    public static TheoryData<Formulation, int> Rows => Formulations.Cross(1, 5, 17);
    public static TheoryData<Formulation, int> BadIds => Formulations.Cross(Vocab, -1, int.MaxValue);

    [Theory]
    [MemberData(nameof(Rows))]
    public void LookupMatchesReferenceExactly(Formulation formulation, int rows)
    {
        var target = fixture[formulation];
        var random = new Random();
        var table = HalfData.RandomNonZero(random, Vocab * Hidden);
        var ids = Enumerable.Range(0, rows).Select(_ => random.Next(Vocab)).ToArray();
        ids[0] = Vocab - 1;   // the last row is in range
        using var tableBuffer = target.Upload(table);
        using var output = target.Poisoned(rows * Hidden, float.NaN);

        target.Kernels.Embedding.Lookup(ids, tableBuffer.View, Hidden, output.View);

        var expected = new float[rows * Hidden];
        EmbeddingKernel.Reference(ids, table, Hidden, expected);
        Assert.Equal(expected, output.GetAsArray1D());   // fp16 -> fp32 is exact
    }

    [Theory]
    [MemberData(nameof(BadIds))]
    public void IdsOutsideTheVocabularyAreRejectedBeforeLaunch(Formulation formulation, int badId)
    {
        var target = fixture[formulation];
        using var table = target.Upload(new ILGPU.Half[Vocab * Hidden]);
        using var output = target.Poisoned(3 * Hidden, float.NaN);
        var error = Assert.Throws<ArgumentException>(() => target.Kernels.Embedding.Lookup([0, badId, 1], table.View, Hidden, output.View));
        Assert.Contains(badId.ToString(), error.Message);
        Assert.All(output.GetAsArray1D(), v => Assert.True(float.IsNaN(v)));   // nothing ran
    }

    [Theory]
    [MemberData(nameof(Formulations.Both), MemberType = typeof(Formulations))]
    public void MismatchedSizesAreRejected(Formulation formulation)
    {
        var target = fixture[formulation];
        using var table = target.Upload(new ILGPU.Half[Vocab * Hidden]);
        using var output = target.Poisoned(2 * Hidden, 0f);
        var embedding = target.Kernels.Embedding;
        Assert.Throws<ArgumentException>(() => embedding.Lookup([0, 1, 2], table.View, Hidden, output.View));
        Assert.Throws<ArgumentException>(() => embedding.Lookup([0, 1], table.View, Hidden + 1, output.View));
        Assert.Throws<ArgumentException>(() => embedding.Lookup([], table.View, Hidden, output.View));
    }
}
