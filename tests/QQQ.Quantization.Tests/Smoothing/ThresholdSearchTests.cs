using QQQ.Formats;
using QQQ.Quantization.Reference;
using QQQ.Quantization.Smoothing;
using QQQ.Quantization.Tests.Support;
using QQQ.TestSupport;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace QQQ.Quantization.Tests.Smoothing;

public class ThresholdSearchTests
{
    /// <summary>The down_proj input of stories260K's first layer for a few windows, and down_proj: real, skewed activations.</summary>
    static (Tensor X, Tensor W) DownProjPoint(int windows, int length)
    {
        using var checkpoint = CheckpointLoader.Open(SharedData.Stories260KHf);
        var config = checkpoint.Config;
        using var layer = DecoderLayerWeights.Read(checkpoint, 0);
        using var x = CalibrationData.Embed(checkpoint, CalibrationData.Windows(checkpoint, SharedData.Stories260KTokenizer,
            SharedData.Text("tinystories-head.txt"), windows, length));
        var a = LlamaBlocks.GatedActivation(LlamaBlocks.RmsNorm(x, layer.PostAttentionNorm, config.RmsNormEps), layer.GateProj, layer.UpProj);
        return (a, layer.DownProj.clone());
    }

    /// <summary>The q/k/v input of stories260K's first layer (input_layernorm output) and the three weights stacked.</summary>
    static (Tensor X, Tensor W) QkvInputPoint(int windows, int length)
    {
        using var checkpoint = CheckpointLoader.Open(SharedData.Stories260KHf);
        using var layer = DecoderLayerWeights.Read(checkpoint, 0);
        using var x = CalibrationData.Embed(checkpoint, CalibrationData.Windows(checkpoint, SharedData.Stories260KTokenizer,
            SharedData.Text("tinystories-head.txt"), windows, length));
        return (LlamaBlocks.RmsNorm(x, layer.InputNorm, checkpoint.Config.RmsNormEps), cat([layer.QProj, layer.KProj, layer.VProj], 0));
    }

    static float[,] ToArray(Tensor t)
    {
        var flat = t.reshape(-1, t.shape[^1]);
        var values = flat.data<float>().ToArray();
        var result = new float[flat.shape[0], flat.shape[1]];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(float));
        return result;
    }

    [Fact]
    public void FullGridPicksTheFirstMinimumOfTheIndependentSearch()
    {
        using var noGrad = no_grad();
        var (x, w) = DownProjPoint(2, 64);
        using var _x = x;
        using var _w = w;
        var naive = NaiveSmoothingSearch.Losses(ToArray(x), ToArray(w));
        var choice = new ThresholdSearch((input, weight) => F.linear(input, weight), 0) { FullGrid = true }.Search(x, w);
        using var scales = choice.Scales;

        Assert.Equal(naive.Count, choice.Candidates);
        Assert.Equal(naive.Count, choice.Evaluated);
        int chosen = naive.FindIndex(c => c.Threshold == choice.Threshold);
        Assert.True(chosen >= 0, $"threshold {choice.Threshold} is not on the grid");
        double minimum = naive.Min(c => c.Loss);
        // Float32 against float64 arithmetic: the chosen candidate is a minimum up to rounding, and no candidate
        // before it is clearly better (the first minimum wins, not a later equal one).
        Assert.True(naive[chosen].Loss <= minimum * (1 + 1e-4), $"loss {naive[chosen].Loss} vs minimum {minimum}");
        Assert.All(naive.Take(chosen), c => Assert.True(c.Loss > minimum * (1 - 1e-4)));
        Assert.Equal(naive[chosen].Loss, choice.Loss, 1e-4 * minimum);
        Assert.Equal(naive[0].Loss, choice.UnsmoothedLoss, 1e-4 * naive[0].Loss);
        Assert.True(choice.Loss < choice.UnsmoothedLoss, "smoothing should help on these activations");
    }

    /// <summary>
    /// Below the smallest channel range every channel is scaled (s = m / t) and the loss no longer depends on t: the
    /// independent search shows one loss along the whole tail, which is what skipping it relies on.
    /// </summary>
    [Fact]
    public void TheTailOfTheGridHasOneLoss()
    {
        using var noGrad = no_grad();
        var (x, w) = QkvInputPoint(2, 64);
        using var _x = x;
        using var _w = w;
        var flat = ToArray(x);
        float smallestRange = float.PositiveInfinity;
        for (int j = 0; j < flat.GetLength(1); j++)
        {
            float range = 0;
            for (int t = 0; t < flat.GetLength(0); t++) range = Math.Max(range, Math.Abs(flat[t, j]));
            smallestRange = Math.Min(smallestRange, range);
        }
        var tail = NaiveSmoothingSearch.Losses(flat, ToArray(w)).Where(c => (float)c.Threshold <= smallestRange).Select(c => c.Loss).ToList();
        Assert.True(tail.Count >= 5, $"only {tail.Count} tail candidates");
        Assert.True(tail.Max() - tail.Min() < ThresholdSearch.TailMargin / 10 * tail.Min(), $"tail losses {tail.Min()} .. {tail.Max()}");
    }

    [Fact]
    public void SkippingTheTailPicksWhatTheFullGridPicks()
    {
        using var noGrad = no_grad();
        var (x, w) = DownProjPoint(4, 128);
        using var _x = x;
        using var _w = w;
        Tensor Output(Tensor input, Tensor weight) => F.linear(input, weight);
        var full = new ThresholdSearch(Output, 0) { FullGrid = true }.Search(x, w);
        var fast = new ThresholdSearch(Output, 0).Search(x, w);
        Assert.Equal(full.Threshold, fast.Threshold);
        Assert.Equal(full.Loss, fast.Loss);
        Assert.Equal(full.UnsmoothedLoss, fast.UnsmoothedLoss);
        Assert.Equal(full.Candidates, fast.Candidates);
        Assert.Equal(full.Scales.data<float>().ToArray(), fast.Scales.data<float>().ToArray());
        Assert.True(fast.Evaluated < full.Evaluated, $"{fast.Evaluated} of {full.Evaluated} evaluated");
        full.Scales.Dispose();
        fast.Scales.Dispose();
    }
}
