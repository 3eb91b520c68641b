using QQQ.TestSupport;

namespace QQQ.Runtime.Tests.Layers;

/// <summary>Asserts int8 codes of fused normalize/activate-then-quantize kernels against their references.</summary>
static class QuantizedAssert
{
    /// <summary>Codes equal except at near-ties (<see cref="QuantizedCodes.MismatchesOffTies"/>).</summary>
    public static void EqualExceptAtTies(sbyte[] expected, sbyte[] actual, double[] referenceValues, int columns)
    {
        var mismatches = QuantizedCodes.MismatchesOffTies(expected, actual, referenceValues, columns);
        Assert.True(mismatches.Count == 0, string.Join("; ", mismatches.Take(5).Select(m =>
            $"row {m.Row} column {m.Column}: code {actual[m.Row * columns + m.Column]}, expected {expected[m.Row * columns + m.Column]}, reference x/s = {m.Quotient:R}")));
    }
}
