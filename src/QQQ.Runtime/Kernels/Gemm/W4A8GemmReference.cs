namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>
/// The ground truth for every W4A8 kernel: plain loops over natural-order inputs, exact int32 accumulation,
/// then <see cref="W4A8Epilogue"/> and round-to-nearest-even fp16. Slow by design.
/// </summary>
public static class W4A8GemmReference
{
    /// <summary>
    /// D (M, N) = fp16(acc * s_channel[n] * s_tok[m]) with acc[m, n] = sum_k x_q[m, k] * w8[n, k].
    /// </summary>
    /// <param name="activations">x_q: (M, K) int8, row-major.</param>
    /// <param name="tokenScales">s_tok: (M) fp32.</param>
    /// <param name="weights">q: (N, K), natural order; per-channel in [-7, 7], per-group in [0, 15] (zero point 8).</param>
    /// <param name="channelScales">s_channel: (N) fp32 (per-channel: already includes the 1/16).</param>
    /// <param name="groupScales">s_group: (K / G, N) fp16 for per-group weights, empty for per-channel.</param>
    /// <param name="m">Tokens M.</param>
    /// <param name="n">Output features N.</param>
    /// <param name="k">Input features K.</param>
    /// <param name="output">D: (M, N) fp16, row-major.</param>
    public static void Compute<TGranularity>(
        ReadOnlySpan<sbyte> activations, ReadOnlySpan<float> tokenScales,
        ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> channelScales, ReadOnlySpan<Half> groupScales,
        int m, int n, int k, Span<Half> output)
        where TGranularity : struct, IWeightGranularity
    {
        int groupSize = default(TGranularity).GroupSize;
        W4A8Shapes.ValidateWeights(weights, channelScales, groupScales, n, k, groupSize);
        if (m <= 0) throw new ArgumentException($"M = {m} tokens must be positive", nameof(m));
        if (activations.Length != m * k) throw new ArgumentException($"activations hold {activations.Length} values, expected M * K = {m} * {k}", nameof(activations));
        if (tokenScales.Length != m) throw new ArgumentException($"token scales hold {tokenScales.Length} values, expected M = {m}", nameof(tokenScales));
        if (output.Length != m * n) throw new ArgumentException($"output holds {output.Length} values, expected M * N = {m} * {n}", nameof(output));

        var w8 = new int[k];
        for (int col = 0; col < n; col++)
        {
            for (int i = 0; i < k; i++)
            {
                int q = weights[col * k + i];
                // Per-channel: the FastINT4toINT8 nibble trick yields 16 * q. Per-group: (q - 8) * s_group is exact
                // in fp32 (4-bit times 11-bit significands), so rounding it equals the reference kernel's fp16 trick.
                w8[i] = groupSize == 0
                    ? 16 * q
                    : (int)MathF.Round((q - 8) * (float)groupScales[i / groupSize * n + col], MidpointRounding.ToEven);
            }
            for (int row = 0; row < m; row++)
            {
                var x = activations.Slice(row * k, k);
                int acc = 0;
                for (int i = 0; i < k; i++) acc += x[i] * w8[i];
                output[row * n + col] = (Half)W4A8Epilogue.Scale(acc, channelScales[col], tokenScales[row]);
            }
        }
    }
}
