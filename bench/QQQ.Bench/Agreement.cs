namespace QQQ.Bench;

/// <summary>
/// The layer tests' verdicts on a kernel's output against its managed reference, without xunit: QQQ.TestSupport's
/// Numerics.RelativeError and the rule of tests/QQQ.Runtime.Tests/Layers/QuantizedAssert.cs, reimplemented here
/// because the published tool carries no test assemblies. Keep the two in step.
/// </summary>
static class Agreement
{
    /// <summary>||actual - expected||_2 / ||expected||_2 in float64; NaN if actual holds a NaN (a poisoned element).</summary>
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

    /// <summary>Elements that differ (xunit's Assert.Equal on arrays: default equality, so NaN equals NaN).</summary>
    public static int Unequal<T>(T[] expected, T[] actual)
    {
        if (actual.Length != expected.Length) throw new ArgumentException("length mismatch");
        return Enumerable.Range(0, expected.Length).Count(i => !EqualityComparer<T>.Default.Equals(expected[i], actual[i]));
    }

    /// <summary>
    /// Int8 codes (rows, columns) of a fused normalize/activate-then-quantize kernel that QuantizedAssert.EqualExceptAtTies
    /// would reject: any difference except one of exactly one code where the float64 reference quotient x / s_tok lies
    /// within 1e-3 of the half-integer between the two codes (the kernel's fp32 value, summed in another order, may round
    /// to the neighbour only there).
    /// </summary>
    public static int CodesOffTies(sbyte[] expected, sbyte[] actual, double[] referenceValues, int columns)
    {
        if (actual.Length != expected.Length) throw new ArgumentException("length mismatch");
        int wrong = 0;
        for (int row = 0; row < expected.Length / columns; row++)
        {
            double absMax = 0;
            for (int c = 0; c < columns; c++) absMax = Math.Max(absMax, Math.Abs(referenceValues[row * columns + c]));
            for (int c = 0; c < columns; c++)
            {
                int i = row * columns + c;
                if (expected[i] == actual[i]) continue;
                double quotient = referenceValues[i] / (absMax / 127);
                double tie = Math.Min(expected[i], actual[i]) + 0.5;
                if (Math.Abs(expected[i] - actual[i]) != 1 || Math.Abs(quotient - tie) >= 1e-3) wrong++;
            }
        }
        return wrong;
    }
}
