using static TorchSharp.torch;

namespace QQQ.Quantization.Smoothing;

/// <summary>The outcome of one smoothing point: the chosen threshold, its scales and losses.</summary>
/// <param name="Scales">(C) divisor of each activation channel (1 for channels inside [-t, t]).</param>
public sealed record SmoothingChoice(double Threshold, Tensor Scales, double Loss, double UnsmoothedLoss, int Candidates, int OutlierChannels);

/// <summary>
/// The OS+ one-dimensional range search of QQQ's adaptive smoothing (qqq-method.md §2). For a
/// threshold t, channel j gets <c>s_j = max(cmx_j &gt; t ? cmx_j / t : 1, cmn_j &lt; -t ? cmn_j / -t : 1)</c>;
/// the loss is the mean over tokens of the summed squared error between the output computed from
/// fake-quantized X/s and W·s and the full-precision output. t runs from T = max|X| down to 0.1 in
/// max(100, int(amx / 0.5)) steps; the first strict minimum wins.
/// </summary>
public sealed class ThresholdSearch
{
    /// <param name="output">The function of (activations (B, T, C), weights (rows, C)) whose error is measured.</param>
    public ThresholdSearch(Func<Tensor, Tensor, Tensor> output, int weightGroupSize)
    {
        Output = output;
        WeightGroupSize = weightGroupSize;
    }

    public Func<Tensor, Tensor, Tensor> Output { get; }
    public int WeightGroupSize { get; }

    /// <summary>x: (B, T, C) calibration activations; weight: (rows, C), the linears fed by x, concatenated.</summary>
    public SmoothingChoice Search(Tensor x, Tensor weight)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var flat = x.reshape(-1, x.shape[^1]);
        var channelMax = flat.amax([0]);
        var channelMin = flat.amin([0]);
        float amx = Math.Max(flat.max().item<float>(), 0f);
        float amn = Math.Min(flat.min().item<float>(), 0f);
        var target = Output(x, weight);

        double upper = Math.Max(-amn, amx);
        int steps = Math.Max(100, (int)(amx / 0.5f));
        double step = (upper - 0.1) / steps;
        double bestLoss = double.PositiveInfinity, bestThreshold = upper, unsmoothed = double.NaN;
        int candidates = 0;
        for (double t = upper; t >= 0.1; t -= step)
        {
            using var iteration = NewDisposeScope();
            var scales = Scales(channelMax, channelMin, t);
            double loss = Loss(x, weight, scales, target);
            if (candidates++ == 0) unsmoothed = loss;
            if (loss < bestLoss) (bestLoss, bestThreshold) = (loss, t);
            if (step <= 0) break;
        }
        var best = Scales(channelMax, channelMin, bestThreshold);
        int outliers = (int)best.gt(1f).sum().item<long>();
        return new SmoothingChoice(bestThreshold, best.MoveToOuterDisposeScope(), bestLoss, unsmoothed, candidates, outliers);
    }

    double Loss(Tensor x, Tensor weight, Tensor scales, Tensor target)
    {
        var quantized = Output(FakeQuant.PerToken(x / scales), FakeQuant.Weights(weight * scales, WeightGroupSize));
        var error = (quantized - target).square().sum([-1]);
        return error.mean().item<float>();
    }

    static Tensor Scales(Tensor channelMax, Tensor channelMin, double threshold)
    {
        float t = (float)threshold;
        var upper = where(channelMax.gt(t), channelMax / t, ones_like(channelMax));
        var lower = where(channelMin.lt(-t), channelMin / -t, ones_like(channelMin));
        return maximum(upper, lower);
    }
}
