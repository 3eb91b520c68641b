namespace QQQ.Formats.W4A8;

/// <summary>Whole-matrix quantization to the int4 grids without error compensation (round to nearest).</summary>
public static class RoundToNearest
{
    /// <summary>
    /// Quantizes <paramref name="weights"/> (N, K) fp32 row-major to <paramref name="granularity"/>'s grid with the
    /// <see cref="WeightGrid"/> functions and builds the kernel scales.
    /// </summary>
    public static QuantizedWeights Quantize(ReadOnlySpan<float> weights, int outFeatures, int inFeatures, Granularity granularity)
    {
        ArgumentNullException.ThrowIfNull(granularity);
        int scalesPerRow = granularity.ScalesPerRow(inFeatures);
        if (outFeatures <= 0 || weights.Length != (long)outFeatures * inFeatures)
            throw new ArgumentException($"{weights.Length} weights do not form ({outFeatures}, {inFeatures})", nameof(weights));
        int groupSize = inFeatures / scalesPerRow;
        bool perGroup = granularity is PerGroupGranularity;
        var codes = new sbyte[weights.Length];
        var gridScales = new Half[outFeatures * scalesPerRow];
        for (int n = 0; n < outFeatures; n++)
        {
            for (int g = 0; g < scalesPerRow; g++)
            {
                var values = weights.Slice(n * inFeatures + g * groupSize, groupSize);
                var scale = perGroup ? WeightGrid.GroupScale(values) : WeightGrid.ChannelScale(values);
                gridScales[n * scalesPerRow + g] = scale;
                var target = codes.AsSpan(n * inFeatures + g * groupSize, groupSize);
                for (int i = 0; i < values.Length; i++)
                    target[i] = (sbyte)(perGroup ? WeightGrid.QuantizeGroup(values[i], scale) : WeightGrid.QuantizeChannel(values[i], scale));
            }
        }
        return QuantizedWeights.FromGridScales(granularity, outFeatures, inFeatures, codes, gridScales);
    }

    /// <summary>
    /// Recovers the codes of weights that are already on the grid, stored in fp16 as a fake-quantized checkpoint
    /// holds them, the way the reference's <c>QuantLinear.pack</c> does: <c>round_half_even(fp16(w / scale))</c>,
    /// clamped to [-7, 7] per-channel, or plus 8 and clamped to [0, 15] per-group.
    /// <paramref name="weights"/>: (N, K) fp16; <paramref name="gridScales"/>: (N, scales per row) fp16. Returns (N, K) codes.
    /// </summary>
    public static sbyte[] CodesFromFakeQuantized(ReadOnlySpan<Half> weights, ReadOnlySpan<Half> gridScales, int outFeatures, int inFeatures, Granularity granularity)
    {
        ArgumentNullException.ThrowIfNull(granularity);
        int scalesPerRow = granularity.ScalesPerRow(inFeatures);
        if (outFeatures <= 0 || weights.Length != (long)outFeatures * inFeatures)
            throw new ArgumentException($"{weights.Length} weights do not form ({outFeatures}, {inFeatures})", nameof(weights));
        if (gridScales.Length != (long)outFeatures * scalesPerRow)
            throw new ArgumentException($"{gridScales.Length} grid scales for ({outFeatures}, {scalesPerRow})", nameof(gridScales));
        int groupSize = inFeatures / scalesPerRow;
        bool perGroup = granularity is PerGroupGranularity;
        var codes = new sbyte[weights.Length];
        for (int i = 0; i < codes.Length; i++)
        {
            int n = i / inFeatures, k = i % inFeatures;
            // fp16 / fp16 evaluated in fp32 and rounded once to fp16 is the correctly rounded fp16 quotient.
            float ratio = (float)(Half)((float)weights[i] / (float)gridScales[n * scalesPerRow + k / groupSize]);
            float code = MathF.Round(ratio, MidpointRounding.ToEven);
            codes[i] = (sbyte)(perGroup
                ? Math.Clamp(code + WeightGrid.GroupZeroPoint, 0, WeightGrid.GroupMaxCode)
                : Math.Clamp(code, -WeightGrid.ChannelMaxCode, WeightGrid.ChannelMaxCode));
        }
        return codes;
    }
}
