using QQQ.Formats;
using QQQ.Formats.W4A8;

namespace QQQ.Cli.Commands;

/// <summary><c>--granularity per-channel|per-group [--group-size 128]</c> of quantize and synth, and the shapes per-group needs.</summary>
public static class GranularityOptions
{
    /// <summary>Per-channel unless <c>--granularity per-group</c>; the group size must be one the kernels support.</summary>
    public static Granularity Read(Arguments arguments)
    {
        string granularity = arguments.Optional("granularity") ?? "per-channel";
        int groupSize = arguments.Int("group-size", 128, min: 1);
        if (granularity is not ("per-channel" or "per-group"))
            throw new UsageException($"--granularity must be per-channel or per-group, got '{granularity}'");
        if (granularity == "per-channel") return Granularity.PerChannel;
        if (!PerGroupGranularity.SupportedGroupSizes.Contains(groupSize))
            throw new UsageException($"--group-size must be one of {string.Join(", ", PerGroupGranularity.SupportedGroupSizes)}, got {groupSize}");
        return Granularity.PerGroup(groupSize);
    }

    /// <summary>
    /// Per-group scales split every linear's input features (hidden_size for q/k/v/o/gate/up, intermediate_size for down)
    /// into whole groups; <paramref name="subject"/> (the model file, or the shape) is named in the error.
    /// </summary>
    public static void RequireDivisible(string subject, ModelConfig config, Granularity granularity)
    {
        if (granularity is not PerGroupGranularity { GroupSize: var groupSize }) return;
        foreach (var (field, size) in new[] { ("hidden_size", config.HiddenSize), ("intermediate_size", config.IntermediateSize) })
            if (size % groupSize != 0)
                throw new ModelFormatException(subject,
                    $"per-group quantization needs every in_features divisible by the group size {groupSize}, " +
                    $"but the model's {field} is {size}: use --granularity per-channel (or a group size that divides it)");
    }
}
