namespace QQQ.Quantization.Tests.Smoothing;

/// <summary>
/// qqq-method.md §2 written out with plain loops for one linear point (output = X Wᵀ), independently of the TorchSharp
/// implementation: the threshold grid, the per-channel scales, int8 per-token and int4 per-row fake quantization
/// (round half to even), and the loss as the mean over tokens of the summed squared output error.
/// </summary>
public static class NaiveSmoothingSearch
{
    /// <param name="x">(tokens, C) activations.</param>
    /// <param name="w">(N, C) weights.</param>
    /// <returns>Every grid threshold with its loss, in grid order.</returns>
    public static List<(double Threshold, double Loss)> Losses(float[,] x, float[,] w)
    {
        int tokens = x.GetLength(0), c = x.GetLength(1);
        var cmx = new float[c];
        var cmn = new float[c];
        Array.Fill(cmx, float.NegativeInfinity);
        Array.Fill(cmn, float.PositiveInfinity);
        float max = float.NegativeInfinity, min = float.PositiveInfinity;
        for (int t = 0; t < tokens; t++)
            for (int j = 0; j < c; j++)
            {
                cmx[j] = Math.Max(cmx[j], x[t, j]);
                cmn[j] = Math.Min(cmn[j], x[t, j]);
                max = Math.Max(max, x[t, j]);
                min = Math.Min(min, x[t, j]);
            }
        float amx = Math.Max(max, 0), amn = Math.Min(min, 0);
        double upper = Math.Max(-amn, amx);
        int num = Math.Max(100, (int)(amx / 0.5f));
        double step = (upper - 0.1) / num;
        var target = Multiply(x, w);
        var result = new List<(double, double)>();
        for (double threshold = upper; threshold >= 0.1; threshold -= step)
        {
            float th = (float)threshold;
            var s = new float[c];
            for (int j = 0; j < c; j++)
                s[j] = Math.Max(cmx[j] > th ? cmx[j] / th : 1f, cmn[j] < -th ? cmn[j] / -th : 1f);
            var xs = new float[tokens, c];
            for (int t = 0; t < tokens; t++)
                for (int j = 0; j < c; j++) xs[t, j] = x[t, j] / s[j];
            var ws = new float[w.GetLength(0), c];
            for (int n = 0; n < w.GetLength(0); n++)
                for (int j = 0; j < c; j++) ws[n, j] = w[n, j] * s[j];
            var output = Multiply(FakeQuantizeRows(xs, 127), FakeQuantizeRows(ws, 7));
            double loss = 0;
            for (int t = 0; t < tokens; t++)
                for (int n = 0; n < output.GetLength(1); n++) loss += Math.Pow(output[t, n] - target[t, n], 2);
            result.Add((threshold, loss / tokens));
        }
        return result;
    }

    /// <summary>Symmetric per-row fake quantization: scale = max|row| / qmax, v = clamp(rne(v / scale), ±qmax) · scale.</summary>
    static float[,] FakeQuantizeRows(float[,] v, int qmax)
    {
        int rows = v.GetLength(0), cols = v.GetLength(1);
        var result = new float[rows, cols];
        for (int r = 0; r < rows; r++)
        {
            float max = 0;
            for (int j = 0; j < cols; j++) max = Math.Max(max, Math.Abs(v[r, j]));
            float scale = Math.Max(max / qmax, 1.1920929e-07f);
            for (int j = 0; j < cols; j++)
                result[r, j] = Math.Clamp(MathF.Round(v[r, j] / scale, MidpointRounding.ToEven), -qmax, qmax) * scale;
        }
        return result;
    }

    static double[,] Multiply(float[,] x, float[,] w)
    {
        int tokens = x.GetLength(0), c = x.GetLength(1), n = w.GetLength(0);
        var y = new double[tokens, n];
        for (int t = 0; t < tokens; t++)
            for (int o = 0; o < n; o++)
            {
                double sum = 0;
                for (int j = 0; j < c; j++) sum += (double)x[t, j] * w[o, j];
                y[t, o] = sum;
            }
        return y;
    }
}
