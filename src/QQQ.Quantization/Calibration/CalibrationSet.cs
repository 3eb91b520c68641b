namespace QQQ.Quantization.Calibration;

/// <summary>
/// Calibration windows: <c>samples</c> random slices of <c>sequenceLength</c> tokens from the
/// concatenated token streams (GPTQ's sampling), reproducible from the seed.
/// </summary>
public static class CalibrationSet
{
    /// <param name="streams">Token ids of each calibration file ([BOS] + encode(text)).</param>
    /// <returns>(samples) windows of sequenceLength ids each.</returns>
    public static int[][] Sample(IReadOnlyList<int[]> streams, int samples, int sequenceLength, int seed)
    {
        if (samples <= 0) throw new ArgumentOutOfRangeException(nameof(samples), "at least one calibration sample is needed");
        if (sequenceLength < 2) throw new ArgumentOutOfRangeException(nameof(sequenceLength), "calibration windows need at least 2 tokens");
        var tokens = streams.SelectMany(s => s).ToArray();
        if (tokens.Length <= sequenceLength)
            throw new ArgumentException(
                $"the calibration text has {tokens.Length} tokens; windows of --seq-len {sequenceLength} need at least {sequenceLength + 1}");
        var random = new Random(seed);
        var windows = new int[samples][];
        for (int i = 0; i < samples; i++)
        {
            int start = random.Next(0, tokens.Length - sequenceLength);
            windows[i] = tokens[start..(start + sequenceLength)];
        }
        return windows;
    }
}
