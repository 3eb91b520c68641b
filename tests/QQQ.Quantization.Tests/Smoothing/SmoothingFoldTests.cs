using QQQ.Formats;
using QQQ.Quantization.Dev;
using QQQ.Quantization.Pipeline;
using QQQ.Quantization.Reference;
using QQQ.Quantization.Tests.Support;
using QQQ.TestSupport;
using static TorchSharp.torch;

namespace QQQ.Quantization.Tests.Smoothing;

/// <summary>
/// The four folds move each smoothing scale between an activation and the weights that read it (norm weights, v_proj
/// and up_proj rows divided; q/k/v, o_proj, gate/up, down_proj columns multiplied), so in full precision the decoder
/// layer computes the same function after smoothing as before: a check independent of how the scales were chosen.
/// </summary>
public class SmoothingFoldTests
{
    static void AssertLayerUnchanged(string model, string tokenizer, string text)
    {
        using var checkpoint = CheckpointLoader.Open(model);
        var config = checkpoint.Config;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var x = CalibrationData.Embed(checkpoint, CalibrationData.Windows(checkpoint, tokenizer, text, 2, 128));
        var (cos, sin) = RotaryEmbedding.Tables(128, config.HeadDim, config.RopeTheta);
        using var original = DecoderLayerWeights.Read(checkpoint, 0);
        using var smoothed = DecoderLayerWeights.Read(checkpoint, 0);

        var reports = new LayerwiseQuantizer(new QuantizationSettings()).Smooth(x, smoothed, config, cos, sin);
        Assert.Contains(reports, r => r.OutlierChannels > 0);   // some scale is not 1, or the check would be empty
        Assert.Equal(config.NumKeyValueHeads == config.NumHeads ? 4 : 3, reports.Count);

        var expected = LlamaBlocks.DecoderLayer(x, original, config, cos, sin).data<float>().ToArray();
        var actual = LlamaBlocks.DecoderLayer(x, smoothed, config, cos, sin).data<float>().ToArray();
        double scale = expected.Max(MathF.Abs);
        double difference = Numerics.MaxAbsDifference(actual, expected);
        Assert.True(difference < 1e-4 * scale, $"max |difference| {difference} for outputs up to {scale}");
    }

    /// <summary>GQA (8 heads, 4 kv heads): the o_proj point is skipped.</summary>
    [Fact]
    public void Stories260K() =>
        AssertLayerUnchanged(SharedData.Stories260KHf, SharedData.Stories260KTokenizer, SharedData.Text("tinystories-head.txt"));

    /// <summary>Multi-head attention with injected 30-100x outlier channels: all four points, with large scales.</summary>
    [Fact]
    public void LlamaSotuWithInjectedOutliers()
    {
        using var folder = new TempFolder();
        new OutlierInjection { Seed = 5 }.Write(SharedData.LlamaSotu, folder.Path);
        AssertLayerUnchanged(folder.Path, Path.Combine(folder.Path, "tokenizer.model"), SharedData.Text("sotu-train.txt"));
    }
}
