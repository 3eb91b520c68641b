namespace QQQ.Formats.W4A8;

/// <summary>
/// The int8 weights the W4A8 kernel feeds its int8 tensor cores with (method section 4), reproduced bit for bit.
/// </summary>
public static class KernelWeights
{
    // fp16 bit patterns of the reference kernel's per-group dequantization.
    const ushort Exponent1024 = 0x6400;  // 1024: OR-ed with a nibble gives 1024 + code
    static readonly Half Bias1032 = BitConverter.UInt16BitsToHalf(0x6408);   // 1024 + zero point 8
    static readonly Half Magic1152 = BitConverter.UInt16BitsToHalf(0x6480);  // 1024 + 128: the result's low byte is 128 + int8

    /// <summary>
    /// Per-channel: the nibble holds a two's-complement code; masking it into the high half of a byte
    /// (<c>q &amp; 0xF0F0F0F0</c>, <c>(q &lt;&lt; 4) &amp; 0xF0F0F0F0</c>) yields <c>16 * code</c>. The 16 is cancelled by
    /// <c>s_channel = scale / 16</c>.
    /// </summary>
    public static sbyte PerChannelInt8(int code) => unchecked((sbyte)((code & 0xF) << 4));

    /// <summary>
    /// Per-group: <c>round_half_even((code - 8) * s_group)</c>, computed as the kernel does in fp16:
    /// <c>h = fp16 bits(0x6400 | code) - 1032</c> (exact: code - 8), then <c>r = fma(h, s_group, 1152)</c> rounded once
    /// to fp16, whose spacing is 1 in [1024, 2048); the int8 is <c>low byte of r ^ 0x80</c>. (The kernel's other nibble
    /// path, <c>fma(1024 + 16 code, 1/16, -72)</c>, gives the same exact code - 8.) Valid for
    /// <c>|(code - 8) * s_group| &lt;= 127</c>, which the second-level scales guarantee; outside it the result wraps
    /// as the kernel's does.
    /// </summary>
    public static sbyte PerGroupInt8(int code, Half groupScale)
    {
        var widened = BitConverter.UInt16BitsToHalf((ushort)(Exponent1024 | (code & 0xF)));
        var centered = Fp16Arithmetic.Subtract(widened, Bias1032);
        var shifted = Fp16Arithmetic.FusedMultiplyAdd(centered, groupScale, Magic1152);
        return unchecked((sbyte)((BitConverter.HalfToUInt16Bits(shifted) & 0xFF) ^ 0x80));
    }

    /// <summary>All int8 weights of a layer: (N, K) row-major, as the kernel multiplies them.</summary>
    public static sbyte[] ToInt8(QuantizedWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        int n = weights.OutFeatures, k = weights.InFeatures;
        var codes = weights.Codes;
        var result = new sbyte[codes.Length];
        if (weights.Granularity is PerGroupGranularity perGroup)
        {
            // 16 possible codes per (group, row): tabulate them once per scale.
            var groupScales = weights.GroupScales;
            Span<sbyte> table = stackalloc sbyte[16];
            for (int row = 0; row < n; row++)
            {
                for (int group = 0; group < k / perGroup.GroupSize; group++)
                {
                    for (int code = 0; code < table.Length; code++)
                        table[code] = PerGroupInt8(code, groupScales[group * n + row]);
                    int start = row * k + group * perGroup.GroupSize;
                    for (int i = start; i < start + perGroup.GroupSize; i++)
                        result[i] = table[codes[i]];
                }
            }
        }
        else
        {
            for (int i = 0; i < result.Length; i++)
                result[i] = PerChannelInt8(codes[i]);
        }
        return result;
    }
}
