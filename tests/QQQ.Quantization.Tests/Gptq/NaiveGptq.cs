namespace QQQ.Quantization.Tests.Gptq;

/// <summary>
/// Textbook GPTQ in float64 with plain loops: no blocks, no lazy updates, explicit inverse and
/// Cholesky. An independent reference for the blocked TorchSharp implementation.
/// </summary>
static class NaiveGptq
{
    /// <returns>codes (N, K) in the original column order.</returns>
    public static int[,] Quantize(double[,] weight, double[,] hessian, bool perGroup, int groupSize)
    {
        int n = weight.GetLength(0), k = weight.GetLength(1);
        var w = (double[,])weight.Clone();
        var h = (double[,])hessian.Clone();
        for (int j = 0; j < k; j++)
            if (h[j, j] == 0)
            {
                h[j, j] = 1;
                for (int r = 0; r < n; r++) w[r, j] = 0;
            }
        // Scales before any update (static groups), in the original order.
        var scale = new double[n, k];
        for (int r = 0; r < n; r++)
        {
            int width = perGroup ? groupSize : k;
            for (int g = 0; g < k; g += width)
            {
                double max = 0;
                for (int j = g; j < g + width; j++) max = Math.Max(max, Math.Abs((float)w[r, j]));
                if (max == 0) max = 1;
                double s = Math.Max((double)(Half)(float)(perGroup ? 2 * (float)max / 15 : (float)max / 7), (double)Half.Epsilon);
                for (int j = g; j < g + width; j++) scale[r, j] = s;
            }
        }
        var order = Enumerable.Range(0, k).OrderByDescending(j => h[j, j]).ToArray();
        double mean = 0;
        for (int j = 0; j < k; j++) mean += h[j, j];
        double damp = 0.01 * mean / k;
        var hp = new double[k, k];
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++) hp[a, b] = h[order[a], order[b]] + (a == b ? damp : 0);
        var u = UpperCholesky(Inverse(hp));

        var codes = new int[n, k];
        for (int a = 0; a < k; a++)
        {
            int j = order[a];
            for (int r = 0; r < n; r++)
            {
                double x = w[r, j] / scale[r, j];
                double rounded = Math.Round(x, MidpointRounding.ToEven);
                int code = perGroup ? (int)Math.Clamp(rounded + 8, 0, 15) : (int)Math.Clamp(rounded, -7, 7);
                codes[r, j] = code;
                double q = (perGroup ? code - 8 : code) * scale[r, j];
                double err = (w[r, j] - q) / u[a, a];
                for (int b = a + 1; b < k; b++) w[r, order[b]] -= err * u[a, b];
            }
        }
        return codes;
    }

    static double[,] Inverse(double[,] m)
    {
        int k = m.GetLength(0);
        var a = new double[k, 2 * k];
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++) a[i, j] = m[i, j];
            a[i, k + i] = 1;
        }
        for (int c = 0; c < k; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < k; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[pivot, c])) pivot = r;
            for (int j = 0; j < 2 * k; j++) (a[c, j], a[pivot, j]) = (a[pivot, j], a[c, j]);
            double p = a[c, c];
            for (int j = 0; j < 2 * k; j++) a[c, j] /= p;
            for (int r = 0; r < k; r++)
            {
                if (r == c) continue;
                double f = a[r, c];
                if (f == 0) continue;
                for (int j = 0; j < 2 * k; j++) a[r, j] -= f * a[c, j];
            }
        }
        var inv = new double[k, k];
        for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) inv[i, j] = a[i, k + j];
        return inv;
    }

    /// <summary>U upper triangular with Uᵀ U = m.</summary>
    static double[,] UpperCholesky(double[,] m)
    {
        int k = m.GetLength(0);
        var l = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = m[i, j];
                for (int p = 0; p < j; p++) s -= l[i, p] * l[j, p];
                l[i, j] = i == j ? Math.Sqrt(s) : s / l[j, j];
            }
        var u = new double[k, k];
        for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) u[i, j] = l[j, i];
        return u;
    }
}
