namespace QQQ.TestSupport;

/// <summary>Comparison of int8 codes from fused normalize/activate-then-quantize kernels with their references.</summary>
public static class QuantizedCodes
{
    /// <summary>
    /// Positions (row, column, reference x / s_tok) where <paramref name="actual"/> differs from <paramref name="expected"/>
    /// other than by exactly one code where the float64 reference quotient x / s_tok lies within 1e-3 of the half-integer
    /// between the two codes. The kernel computes the normalised value in fp32 with a different summation order (group
    /// reduction) than the reference, so it differs from the fp32-rounded float64 value in the last bits (relative ~1e-6,
    /// i.e. ~1e-4 of a code at |x / s_tok| = 127); only at such near-ties can that move the rounding to the neighbour.
    /// Codes and reference values are (rows, columns).
    /// </summary>
    public static List<(int Row, int Column, double Quotient)> MismatchesOffTies(sbyte[] expected, sbyte[] actual, double[] referenceValues, int columns)
    {
        if (actual.Length != expected.Length) throw new ArgumentException("length mismatch");
        var mismatches = new List<(int, int, double)>();
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
                if (Math.Abs(expected[i] - actual[i]) != 1 || Math.Abs(quotient - tie) >= 1e-3) mismatches.Add((row, c, quotient));
            }
        }
        return mismatches;
    }
}
