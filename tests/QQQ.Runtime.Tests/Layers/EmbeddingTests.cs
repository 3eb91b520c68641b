using ILGPU.Runtime;
using QQQ.Runtime.Kernels.Layers;

namespace QQQ.Runtime.Tests.Layers;

[Collection(LayersCollection.Name)]
public class EmbeddingTests(LayersFixture fixture)
{
    const int Vocab = 37, Hidden = 72;

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(17)]
    public void LookupMatchesReferenceExactly(int rows)
    {
        var random = new Random();
        var table = HalfData.RandomNonZero(random, Vocab * Hidden);
        var ids = Enumerable.Range(0, rows).Select(_ => random.Next(Vocab)).ToArray();
        ids[0] = Vocab - 1;   // the last row is in range
        using var tableBuffer = fixture.Upload(table);
        using var output = fixture.Poisoned(rows * Hidden, float.NaN);

        fixture.Kernels.Embedding.Lookup(ids, tableBuffer.View, Hidden, output.View);

        var expected = new float[rows * Hidden];
        EmbeddingKernel.Reference(ids, table, Hidden, expected);
        Assert.Equal(expected, output.GetAsArray1D());   // fp16 -> fp32 is exact
    }

    [Theory]
    [InlineData(Vocab)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void IdsOutsideTheVocabularyAreRejectedBeforeLaunch(int badId)
    {
        using var table = fixture.Upload(new ILGPU.Half[Vocab * Hidden]);
        using var output = fixture.Poisoned(3 * Hidden, float.NaN);
        var error = Assert.Throws<ArgumentException>(() => fixture.Kernels.Embedding.Lookup([0, badId, 1], table.View, Hidden, output.View));
        Assert.Contains(badId.ToString(), error.Message);
        Assert.All(output.GetAsArray1D(), v => Assert.True(float.IsNaN(v)));   // nothing ran
    }

    [Fact]
    public void MismatchedSizesAreRejected()
    {
        using var table = fixture.Upload(new ILGPU.Half[Vocab * Hidden]);
        using var output = fixture.Poisoned(2 * Hidden, 0f);
        var embedding = fixture.Kernels.Embedding;
        Assert.Throws<ArgumentException>(() => embedding.Lookup([0, 1, 2], table.View, Hidden, output.View));
        Assert.Throws<ArgumentException>(() => embedding.Lookup([0, 1], table.View, Hidden + 1, output.View));
        Assert.Throws<ArgumentException>(() => embedding.Lookup([], table.View, Hidden, output.View));
    }
}
