using QQQ.Formats.W4A8;

namespace QQQ.Formats.Artifacts;

/// <summary>
/// The two ways an artifact stores a quantized linear named <c>prefix</c> (e.g. <c>model.layers.0.self_attn.q_proj</c>).
/// <list type="bullet">
/// <item><c>qqq-marlin</c>: the reference kernel's interchange layout (qqq-method.md §5): <c>prefix.B</c> I32 (K/16, 2N),
/// <c>prefix.s_channel</c> F32 (1, N), <c>prefix.s_group</c> F16 (K/128, N). Needs K % 128 == 0, N % 64 == 0 and
/// group size 128 (or per-channel).</item>
/// <item><c>natural</c>: any shape: <c>prefix.codes</c> U8 (N, K/2) two codes per byte, low nibble first (per-channel
/// codes as two's-complement int4, per-group codes 0..15), <c>prefix.s_channel</c> F32 (N), <c>prefix.s_group</c> F16 (K/G, N).</item>
/// </list>
/// </summary>
public static class LinearLayouts
{
    public const string Reference = "qqq-marlin";
    public const string Natural = "natural";

    /// <summary>The reference layout when every linear of the model fits it, else natural.</summary>
    public static string Choose(ModelConfig config, Granularity granularity)
    {
        bool groupOk = granularity is PerChannelGranularity || granularity is PerGroupGranularity { GroupSize: ReferenceLayout.GroupSize };
        int[] inFeatures = [config.HiddenSize, config.NumHeads * config.HeadDim, config.IntermediateSize];
        int[] outFeatures = [config.NumHeads * config.HeadDim, config.KeyValueDim, config.HiddenSize, config.IntermediateSize];
        return groupOk && inFeatures.All(k => k % 128 == 0) && outFeatures.All(n => n % 64 == 0) ? Reference : Natural;
    }

    public static void Write(SafetensorsWriter writer, string prefix, QuantizedWeights weights, string layout)
    {
        int n = weights.OutFeatures, k = weights.InFeatures;
        if (layout == Reference)
        {
            var packed = ReferenceLayout.Pack(weights);
            writer.Add(prefix + ".B", [k / 16, 2 * n], packed.B);
            writer.Add(prefix + ".s_channel", [1, n], packed.ChannelScales);
            if (packed.GroupScales.Length > 0) writer.Add(prefix + ".s_group", [k / ReferenceLayout.GroupSize, n], packed.GroupScales);
            return;
        }
        if (k % 2 != 0) throw new ArgumentException($"{prefix}: in_features {k} must be even");
        var nibbles = new byte[n * k / 2];
        var codes = weights.Codes;
        for (int i = 0; i < nibbles.Length; i++)
            nibbles[i] = (byte)((codes[2 * i] & 0xF) | ((codes[2 * i + 1] & 0xF) << 4));
        writer.Add(prefix + ".codes", [n, k / 2], (ReadOnlySpan<byte>)nibbles);
        writer.Add(prefix + ".s_channel", [n], weights.ChannelScales);
        if (weights.Granularity is PerGroupGranularity g) writer.Add(prefix + ".s_group", [k / g.GroupSize, n], weights.GroupScales);
    }

    /// <summary>Reads a linear of shape (outFeatures, inFeatures) back to natural order, validating every shape.</summary>
    public static QuantizedWeights Read(SafetensorsFile file, string prefix, string layout, Granularity granularity, int outFeatures, int inFeatures)
    {
        int n = outFeatures, k = inFeatures;
        int groups = granularity is PerGroupGranularity g ? k / g.GroupSize : 0;
        if (layout == Reference)
        {
            var b = Typed<int>(file, prefix + ".B", SafetensorsDType.I32, [k / 16, 2 * n]);
            var channel = Typed<float>(file, prefix + ".s_channel", SafetensorsDType.F32, [1, n]);
            var group = groups > 0 ? Typed<Half>(file, prefix + ".s_group", SafetensorsDType.F16, [groups, n]) : [];
            return ReferenceLayout.Unpack(new ReferencePackedWeights(n, k, b, channel, group));
        }
        var nibbles = Typed<byte>(file, prefix + ".codes", SafetensorsDType.U8, [n, k / 2]);
        var codes = new sbyte[n * k];
        bool signed = granularity is PerChannelGranularity;
        for (int i = 0; i < nibbles.Length; i++)
        {
            int low = nibbles[i] & 0xF, high = nibbles[i] >> 4;
            codes[2 * i] = (sbyte)(signed && low >= 8 ? low - 16 : low);
            codes[2 * i + 1] = (sbyte)(signed && high >= 8 ? high - 16 : high);
        }
        var scales = Typed<float>(file, prefix + ".s_channel", SafetensorsDType.F32, [n]);
        var groupScales = groups > 0 ? Typed<Half>(file, prefix + ".s_group", SafetensorsDType.F16, [groups, n]) : [];
        try
        {
            return new QuantizedWeights(granularity, n, k, codes, scales, groupScales);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(file.Path, $"{prefix}: {e.Message}");
        }
    }

    /// <summary>A tensor's data as <typeparamref name="T"/>[] after checking its dtype and shape.</summary>
    public static T[] Typed<T>(SafetensorsFile file, string name, SafetensorsDType dtype, int[] shape) where T : unmanaged
    {
        if (!file.TryGetInfo(name, out var info)) throw new ModelFormatException(file.Path, $"tensor {name} is missing");
        if (info.DType != dtype || !info.Shape.SequenceEqual(shape))
            throw new ModelFormatException(file.Path,
                $"tensor {name} is {info.DType.HeaderName()} ({string.Join(", ", info.Shape)}), expected {dtype.HeaderName()} ({string.Join(", ", shape)})");
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(file.GetBytes(name)).ToArray();
    }
}
