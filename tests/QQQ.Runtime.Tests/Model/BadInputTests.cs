using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Runtime.Devices;

namespace QQQ.Runtime.Tests.Model;

/// <summary>
/// Bad input fails with a clear exception before anything reaches a kernel, and leaves a loaded model intact: it
/// computes the same logits afterwards as before.
/// </summary>
[Collection(Stories260KCollection.Name)]
public class BadInputTests(Stories260KArtifact artifact)
{
    static readonly int[] Valid = [1, 403, 407, 261, 378, 365];

    [Fact]
    public void PromptsAndSequencesLongerThanTheContextAreRejected()
    {
        using var model = artifact.Load(new QQQModelOptions { ContextLength = 16 });
        var before = model.Forward(Valid);
        string longPrompt = string.Join(' ', Enumerable.Repeat("Once upon a time there was a dog.", 10));

        var error = Assert.Throws<ArgumentException>(() => model.Generate(longPrompt));
        Assert.Contains("context holds 16", error.Message);
        Assert.Throws<ArgumentException>(() => model.Forward(artifact.Tokens[..17]));

        Assert.Equal(before, model.Forward(Valid));
        Assert.NotEmpty(string.Concat(model.Generate("Once", new GenerationSettings { MaxTokens = 4 })));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(512)]
    [InlineData(int.MaxValue)]
    public void TokenIdsOutsideTheVocabularyAreRejected(int badId)
    {
        using var model = artifact.Load();
        var before = model.Forward(Valid);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward([1, 403, badId, 261]));
        Assert.Contains($"token id {badId}", error.Message);
        Assert.Throws<ArgumentException>(() => model.Forward([]));

        Assert.Equal(before, model.Forward(Valid));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.999)]
    [InlineData(0.0)]
    public void TruncatedArtifactsAreRejected(double keptFraction)
    {
        var bytes = File.ReadAllBytes(artifact.Path);
        string path = artifact.Scratch($"truncated-{keptFraction}.qqq");
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keptFraction)]);

        var error = Assert.Throws<ModelFormatException>(() => QQQModel<PerChannel>.Load(path, new QQQModelOptions { Device = DeviceKind.Cpu }));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void ArtifactsOfANewerFormatAreRejected()
    {
        string path = artifact.Scratch("newer.qqq");
        TestArtifacts.WithFormatVersion(artifact.Path, path, ArtifactManifest.CurrentFormatVersion + 1);

        var error = Assert.Throws<ModelFormatException>(() => QQQModel<PerChannel>.Load(path, new QQQModelOptions { Device = DeviceKind.Cpu }));
        Assert.Contains("newer than this runtime supports", error.Message);
    }

    [Fact]
    public void ArtifactsOfAnotherGranularityAreRejected()
    {
        var error = Assert.Throws<ModelFormatException>(() => QQQModel<PerGroup128>.Load(artifact.Path, new QQQModelOptions { Device = DeviceKind.Cpu }));
        Assert.Contains("QQQModel<PerChannel>", error.Message);
    }
}
