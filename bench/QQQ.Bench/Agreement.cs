namespace QQQ.Bench;

/// <summary>
/// The layer tests' verdicts on a kernel's output against its managed reference, without xunit. The error measures are
/// the tests' own (QQQ.TestSupport's Numerics and QuantizedCodes, compiled into this tool as linked sources: the
/// published tool carries no test assemblies).
/// </summary>
static class Agreement
{
    /// <summary>Elements that differ (xunit's Assert.Equal on arrays: default equality, so NaN equals NaN).</summary>
    public static int Unequal<T>(T[] expected, T[] actual)
    {
        if (actual.Length != expected.Length) throw new ArgumentException("length mismatch");
        return Enumerable.Range(0, expected.Length).Count(i => !EqualityComparer<T>.Default.Equals(expected[i], actual[i]));
    }
}
