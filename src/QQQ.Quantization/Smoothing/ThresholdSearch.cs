using static TorchSharp.torch;

namespace QQQ.Quantization.Smoothing;

/// <summary>The outcome of one smoothing point: the chosen threshold, its scales and losses.</summary>
/// <param name="Scales">(C) divisor of each activation channel (1 for channels inside [-t, t]).</param>
/// <param name="Candidates">Thresholds on the search grid.</param>
/// <param name="Evaluated">Candidates whose loss was computed (see <see cref="ThresholdSearch"/> for the others).</param>
public sealed record SmoothingChoice(double Threshold, Tensor Scales, double Loss, double UnsmoothedLoss, int Candidates, int Evaluated, int OutlierChannels);

/// <summary>
/// The OS+ one-dimensional range search of QQQ's adaptive smoothing (qqq-method.md §2). For a
/// threshold t, channel j gets <c>s_j = max(cmx_j &gt; t ? cmx_j / t : 1, cmn_j &lt; -t ? cmn_j / -t : 1)</c>;
/// the loss is the mean over tokens of the summed squared error between the output computed from
/// fake-quantized X/s and W·s and the full-precision output. t runs from T = max|X| down to 0.1 in
/// max(100, int(amx / 0.5)) steps; the first strict minimum wins.
/// <para>
/// The tail of the grid is not searched candidate by candidate. Once t is at most every channel's range
/// m_j = max(cmx_j, -cmn_j), every channel is scaled: s(t) = m / t. Both fake quantizers are symmetric with one
/// scale per row, so multiplying X/s by a common factor and W·s by its inverse leaves the product, hence the loss,
/// unchanged: the whole tail has one loss (up to float rounding, measured at under 1e-3 relative). So the first
/// tail candidate is evaluated, and if its loss is above the best loss so far by more than
/// <see cref="TailMargin"/>, no tail candidate can be the minimum and the rest of the tail is skipped; otherwise
/// every tail candidate is evaluated as usual. The chosen threshold is the full grid's (the tests check this on
/// real activations, and <see cref="FullGrid"/> turns the shortcut off). On stories260K and llama-sotu-26m the tail
/// is 5-60% of the grid.
/// </para>
/// </summary>
public sealed class ThresholdSearch
{
    /// <summary>How far above the best loss the tail's loss must be to skip the tail: ten times its rounding spread.</summary>
    public const double TailMargin = 0.01;

    /// <param name="output">The function of (activations (B, T, C), weights (rows, C)) whose error is measured.</param>
    public ThresholdSearch(Func<Tensor, Tensor, Tensor> output, int weightGroupSize)
    {
        Output = output;
        WeightGroupSize = weightGroupSize;
    }

    public Func<Tensor, Tensor, Tensor> Output { get; }
    public int WeightGroupSize { get; }

    /// <summary>Evaluate every candidate, the tail included, as the reference does.</summary>
    public bool FullGrid { get; init; }

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
        // Smallest channel range: a threshold at or below it scales every channel (the tail).
        float tailStart = maximum(channelMax, channelMin.neg()).min().item<float>();
        var target = Output(x, weight);

        double upper = Math.Max(-amn, amx);
        int steps = Math.Max(100, (int)(amx / 0.5f));
        double step = (upper - 0.1) / steps;
        double bestLoss = double.PositiveInfinity, bestThreshold = upper, unsmoothed = double.NaN, tailLoss = double.NaN;
        int candidates = 0, evaluated = 0;
        for (double t = upper; t >= 0.1; t -= step)
        {
            candidates++;
            bool inTail = (float)t <= tailStart;
            if (inTail && !FullGrid && tailLoss > bestLoss * (1 + TailMargin))
            {
                if (step <= 0) break;
                continue;
            }
            using var iteration = NewDisposeScope();
            var scales = Scales(channelMax, channelMin, t);
            double loss = Loss(x, weight, scales, target);
            evaluated++;
            if (candidates == 1) unsmoothed = loss;
            if (inTail && double.IsNaN(tailLoss)) tailLoss = loss;
            if (loss < bestLoss) (bestLoss, bestThreshold) = (loss, t);
            if (step <= 0) break;
        }
        var best = Scales(channelMax, channelMin, bestThreshold);
        int outliers = (int)best.gt(1f).sum().item<long>();
        return new SmoothingChoice(bestThreshold, best.MoveToOuterDisposeScope(), bestLoss, unsmoothed, candidates, evaluated, outliers);
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
