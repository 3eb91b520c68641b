namespace QQQ.Formats.W4A8;

/// <summary>
/// One W4A8 linear layer in natural order: int4 codes plus the scales the kernel uses. This is what the
/// quantizer produces, what the reference packed layout is made from and unpacked to, and what the
/// simulation and the runtime compute with.
/// <list type="bullet">
/// <item><see cref="Codes"/>: (N, K) row-major, N = out_features, K = in_features. Per-channel: signed,
/// the grid gives [-7, 7] (the kernel can also carry -8). Per-group: unsigned [0, 15] with zero point 8.</item>
/// <item><see cref="ChannelScales"/>: (N) fp32 <c>s_channel</c>. Per-channel: <c>fp16(scale / 16)</c> widened to fp32,
/// the /16 cancelling the kernel's <c>16 * code</c> int8 weights. Per-group: <c>max|W_q row| / 127</c> over the fp16
/// fake-quantized weights <c>W_q = fp16((code - 8) * scale)</c>.</item>
/// <item><see cref="GroupScales"/>: (K / group, N) fp16 <c>s_group = fp16(scale / s_channel)</c>, per-group only
/// (empty per-channel). A group whose codes are all 8 (all-zero weights) stores 0, so that no scale is infinite.</item>
/// </list>
/// The arrays handed to the constructor are taken over, not copied.
/// </summary>
public sealed class QuantizedWeights
{
    readonly sbyte[] codes;
    readonly float[] channelScales;
    readonly Half[] groupScales;

    /// <summary>Wraps codes and kernel scales after checking shapes and ranges (see the type's summary for the layout).</summary>
    public QuantizedWeights(Granularity granularity, int outFeatures, int inFeatures, sbyte[] codes, float[] channelScales, Half[] groupScales)
    {
        ArgumentNullException.ThrowIfNull(granularity);
        if (outFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(outFeatures), outFeatures, "must be positive");
        int scalesPerRow = granularity.ScalesPerRow(inFeatures);
        RequireLength(codes, (long)outFeatures * inFeatures, nameof(codes));
        RequireLength(channelScales, outFeatures, nameof(channelScales));
        RequireLength(groupScales, granularity is PerGroupGranularity ? (long)scalesPerRow * outFeatures : 0, nameof(groupScales));
        var (minCode, maxCode) = granularity is PerGroupGranularity ? (0, WeightGrid.GroupMaxCode) : (-8, 7);
        foreach (var code in codes)
            if (code < minCode || code > maxCode)
                throw new ArgumentException($"code {code} lies outside [{minCode}, {maxCode}] for {granularity} weights", nameof(codes));
        foreach (var scale in channelScales)
            if (!float.IsFinite(scale) || scale < 0)
                throw new ArgumentException($"channel scale {scale} is not a finite non-negative number", nameof(channelScales));
        foreach (var scale in groupScales)
            if (!Half.IsFinite(scale))
                throw new ArgumentException($"group scale {scale} is not finite", nameof(groupScales));
        Granularity = granularity;
        OutFeatures = outFeatures;
        InFeatures = inFeatures;
        this.codes = codes;
        this.channelScales = channelScales;
        this.groupScales = groupScales;
    }

    /// <summary>Per-channel or per-group (with its group size).</summary>
    public Granularity Granularity { get; }

    /// <summary>N: output features, rows of the weight matrix.</summary>
    public int OutFeatures { get; }

    /// <summary>K: input features, columns of the weight matrix.</summary>
    public int InFeatures { get; }

    /// <summary>(N, K) int4 codes, row-major.</summary>
    public ReadOnlySpan<sbyte> Codes => codes;

    /// <summary>(N) fp32 <c>s_channel</c>, natural order.</summary>
    public ReadOnlySpan<float> ChannelScales => channelScales;

    /// <summary>(K / group, N) fp16 <c>s_group</c>, natural order; empty per-channel.</summary>
    public ReadOnlySpan<Half> GroupScales => groupScales;

    /// <summary>
    /// Builds the kernel scales from codes and the grid scales they were quantized with.
    /// <paramref name="codes"/>: (N, K); <paramref name="gridScales"/>: (N, scales per row) fp16, as the reference's
    /// <c>scales</c> tensor (per-channel <c>max|w|/7</c>, per-group <c>2 max|w|/15</c>).
    /// </summary>
    public static QuantizedWeights FromGridScales(Granularity granularity, int outFeatures, int inFeatures, sbyte[] codes, ReadOnlySpan<Half> gridScales)
    {
        ArgumentNullException.ThrowIfNull(granularity);
        int scalesPerRow = granularity.ScalesPerRow(inFeatures);
        RequireLength(codes, (long)outFeatures * inFeatures, nameof(codes));
        if (gridScales.Length != (long)outFeatures * scalesPerRow)
            throw new ArgumentException($"{gridScales.Length} grid scales for ({outFeatures}, {scalesPerRow})", nameof(gridScales));
        var channelScales = new float[outFeatures];
        if (granularity is not PerGroupGranularity perGroup)
        {
            // The reference divides the fp16 scale by 16 in fp16 (exact unless the result is subnormal).
            for (int n = 0; n < outFeatures; n++)
                channelScales[n] = (float)(Half)((float)gridScales[n] / 16f);
            return new QuantizedWeights(granularity, outFeatures, inFeatures, codes, channelScales, []);
        }

        int groupSize = perGroup.GroupSize;
        var groupScales = new Half[scalesPerRow * outFeatures];
        var largestCodes = new int[scalesPerRow];  // max |code - 8| of each group of the row
        for (int n = 0; n < outFeatures; n++)
        {
            var rowScales = gridScales.Slice(n * scalesPerRow, scalesPerRow);
            float maxAbs = 0;
            for (int g = 0; g < scalesPerRow; g++)
            {
                largestCodes[g] = 0;
                foreach (var code in codes.AsSpan(n * inFeatures + g * groupSize, groupSize))
                    largestCodes[g] = Math.Max(largestCodes[g], Math.Abs(code - WeightGrid.GroupZeroPoint));
                // Exact in fp32 (4-bit times 11-bit significands).
                maxAbs = MathF.Max(maxAbs, largestCodes[g] * (float)rowScales[g]);
            }
            // max|fp16(x)| == fp16(max|x|) because rounding is monotonic.
            float channelScale = (float)(Half)maxAbs / 127f;
            channelScales[n] = channelScale;
            for (int g = 0; g < scalesPerRow; g++)
                groupScales[g * outFeatures + n] = largestCodes[g] == 0 ? Half.Zero : (Half)((float)rowScales[g] / channelScale);
        }
        return new QuantizedWeights(granularity, outFeatures, inFeatures, codes, channelScales, groupScales);
    }

    static void RequireLength<T>(T[] array, long expected, string name)
    {
        ArgumentNullException.ThrowIfNull(array, name);
        if (array.Length != expected)
            throw new ArgumentException($"{name} has {array.Length} elements, expected {expected}", name);
    }
}
