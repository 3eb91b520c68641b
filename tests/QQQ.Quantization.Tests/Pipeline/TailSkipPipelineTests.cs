using QQQ.Formats;
using QQQ.Quantization.Pipeline;
using QQQ.Quantization.Tests.Support;
using QQQ.TestSupport;

namespace QQQ.Quantization.Tests.Pipeline;

/// <summary>
/// The smoothing search's tail shortcut changes time, not results: over whole models, every threshold and every
/// quantized weight equals what the full grid gives. The smoothing stream only depends on the first 8 calibration
/// windows (the same ones at any --samples) and not on the weight method, so RTN with 8 samples checks the
/// thresholds that the default settings choose.
/// </summary>
public class TailSkipPipelineTests
{
    static void AssertSameAsFullGrid(string model, string tokenizer, string text, int groupSize)
    {
        using var checkpoint = CheckpointLoader.Open(model);
        var windows = CalibrationData.Windows(checkpoint, tokenizer, text, 8, 512);
        var settings = new QuantizationSettings { GroupSize = groupSize, Weights = WeightMethod.Rtn, Samples = 8 };
        var fast = new LayerwiseQuantizer(settings).Quantize(checkpoint, windows);
        var full = new LayerwiseQuantizer(settings with { FullGridSmoothingSearch = true }).Quantize(checkpoint, windows);

        int skipped = 0;
        for (int layer = 0; layer < full.Layers.Count; layer++)
        {
            var (a, b) = (full.Layers[layer], fast.Layers[layer]);
            for (int point = 0; point < a.Smoothing.Count; point++)
            {
                Assert.Equal(a.Smoothing[point] with { Evaluated = 0 }, b.Smoothing[point] with { Evaluated = 0 });
                skipped += a.Smoothing[point].Evaluated - b.Smoothing[point].Evaluated;
            }
            Assert.Equal(a.InputNorm, b.InputNorm);
            Assert.Equal(a.PostAttentionNorm, b.PostAttentionNorm);
            for (int linear = 0; linear < a.Linears.Count; linear++)
            {
                Assert.Equal(a.Linears[linear].Codes, b.Linears[linear].Codes);
                Assert.Equal(a.Linears[linear].Scales, b.Linears[linear].Scales);
            }
        }
        Assert.True(skipped > 0, "no candidate was skipped: the test would prove nothing");
    }

    [Fact]
    public void Stories260K() =>
        AssertSameAsFullGrid(SharedData.Stories260KHf, SharedData.Stories260KTokenizer, SharedData.Text("tinystories-head.txt"), 0);

    [Theory]
    [Trait("Category", "Long")]
    [InlineData(0)]
    [InlineData(128)]
    public void LlamaSotu(int groupSize) =>
        AssertSameAsFullGrid(SharedData.LlamaSotu, Path.Combine(SharedData.LlamaSotu, "tokenizer.model"), SharedData.Text("sotu-train.txt"), groupSize);
}
