namespace QQQ.TestSupport;

/// <summary>Error measures for comparing results with float64 references.</summary>
public static class Numerics
{
    /// <summary>||actual - expected||_2 / ||expected||_2, accumulated in float64.</summary>
    public static double RelativeError(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected)
    {
        if (actual.Length != expected.Length) throw new ArgumentException("length mismatch");
        double diff = 0, norm = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double d = actual[i] - expected[i];
            diff += d * d;
            norm += expected[i] * expected[i];
        }
        return Math.Sqrt(diff / norm);
    }

    public static double MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException("length mismatch");
        double max = 0;
        for (int i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        return max;
    }

    /// <summary>Fresh, non-zero uniform values in [-scale, scale] from a seeded generator.</summary>
    public static float[] RandomNonZero(Random random, int count, float scale = 1f)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            float v;
            do v = (float)(random.NextDouble() * 2 - 1) * scale; while (v == 0);
            values[i] = v;
        }
        return values;
    }
}
