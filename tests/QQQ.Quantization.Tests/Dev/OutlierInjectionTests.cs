using QQQ.Formats;
using QQQ.Quantization.Dev;
using QQQ.Quantization.Reference;
using QQQ.Quantization.Tests.Support;
using QQQ.TestSupport;
using static TorchSharp.torch;

namespace QQQ.Quantization.Tests.Dev;

public class OutlierInjectionTests
{
    static readonly long[] Ids = [1, 450, 3303, 310, 278, 3303, 338, 5982, 29889, 1576, 3303, 322, 278, 4272, 526, 1395];

    [Fact]
    public void KeepsTheFp32FunctionAndCreatesOutlierChannels()
    {
        using var folder = new TempFolder();
        var injected = new OutlierInjection { Seed = 3 }.Write(SharedData.LlamaSotu, folder.Path);

        using var original = CheckpointLoader.Open(SharedData.LlamaSotu);
        using var modified = CheckpointLoader.Open(folder.Path);
        Assert.Equal(original.Config, modified.Config);
        Assert.Equal(2 * 4 * original.Config.NumLayers, injected.Count);
        Assert.All(injected, o => Assert.InRange(o.Factor, 30f, 100f));

        using var noGrad = no_grad();
        using var input = tensor(Ids, [1, Ids.Length]);
        using var before = LlamaReferenceModel.Load(original);
        using var after = LlamaReferenceModel.Load(modified);
        using var expected = before.Logits(input);
        using var actual = after.Logits(input);
        double scale = expected.abs().max().item<float>();
        double difference = Numerics.MaxAbsDifference(actual.data<float>().ToArray(), expected.data<float>().ToArray());
        Assert.True(difference < 1e-4 * scale, $"max |logit difference| {difference} for logits up to {scale}");

        // The input_layernorm output of layer 0: the injected channels now dwarf the typical channel.
        using var scope = NewDisposeScope();
        var config = original.Config;
        var embedded = after.Embedding.index_select(0, input.flatten()).unsqueeze(0);
        var normed = LlamaBlocks.RmsNorm(embedded, after.Layers[0].InputNorm, config.RmsNormEps).abs().amax([0, 1]);
        var channelMax = normed.data<float>().ToArray();
        var layer0 = injected.Where(o => o.Norm == "model.layers.0.input_layernorm.weight").Select(o => o.Channel).ToHashSet();
        float median = channelMax.Where((_, j) => !layer0.Contains(j)).Order().ElementAt(channelMax.Length / 2);
        Assert.All(layer0, j => Assert.True(channelMax[j] > 10 * median, $"channel {j}: {channelMax[j]} vs median {median}"));
    }

    [Fact]
    public void SameSeedSameFilesOtherSeedOtherChannels()
    {
        using var first = new TempFolder();
        using var second = new TempFolder();
        using var third = new TempFolder();
        var a = new OutlierInjection { Seed = 1 }.Write(SharedData.Stories260KHf, first.Path);
        var b = new OutlierInjection { Seed = 1 }.Write(SharedData.Stories260KHf, second.Path);
        var c = new OutlierInjection { Seed = 2 }.Write(SharedData.Stories260KHf, third.Path);
        Assert.Equal(a, b);
        Assert.Equal(File.ReadAllBytes(first.File("model.safetensors")), File.ReadAllBytes(second.File("model.safetensors")));
        Assert.NotEqual(a.Select(o => o.Channel), c.Select(o => o.Channel));
        Assert.Equal(File.ReadAllBytes(SharedData.Stories260KHf + "/tok512.bin"), File.ReadAllBytes(first.File("tok512.bin")));
    }
}
