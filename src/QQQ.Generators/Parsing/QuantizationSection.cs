using QQQ.Generators.Diagnostics;
using QQQ.Generators.Model;

namespace QQQ.Generators.Parsing;

/// <summary>The manifest's <c>quantization</c> object and the granularity it binds the model class to.</summary>
internal sealed class QuantizationSection
{
    private const string SupportedMethod = "qqq", ReferenceLayout = "qqq-marlin", NaturalLayout = "natural";
    private const int SupportedWeightBits = 4, SupportedActivationBits = 8;

    private readonly JsonObjectReader _reader;

    private QuantizationSection(JsonObjectReader reader)
    {
        _reader = reader;
        Method = reader.OptionalString("method", SupportedMethod);
        WeightBits = reader.OptionalInt("wbits", SupportedWeightBits);
        ActivationBits = reader.OptionalInt("abits", SupportedActivationBits);
        Granularity = reader.RequiredString("granularity");
        GroupSize = reader.RequiredInt("group_size");
        reader.RequiredString("smoothing");
        reader.RequiredString("weights");
        Layout = reader.RequiredString("layout");
    }

    public string Method { get; }
    public int WeightBits { get; }
    public int ActivationBits { get; }
    public string Granularity { get; }
    public int GroupSize { get; }
    public string Layout { get; }

    /// <summary>Reads every property; throws on a missing or wrong-typed one.</summary>
    public static QuantizationSection Read(JsonObjectReader reader) => new(reader);

    /// <summary>The supported granularity this section names; throws a QQQ105 <see cref="ManifestException"/> otherwise.</summary>
    public Granularity Resolve(ArchitectureSection architecture)
    {
        if (Method != SupportedMethod || WeightBits != SupportedWeightBits || ActivationBits != SupportedActivationBits)
            throw Unsupported("method",
                $"method '{Method}' with wbits {Invariant.Text(WeightBits)} and abits {Invariant.Text(ActivationBits)} " +
                $"(supported: '{SupportedMethod}' with wbits {Invariant.Text(SupportedWeightBits)} and abits {Invariant.Text(SupportedActivationBits)})");
        // The runtime reads both (QQQ.Formats' LinearLayouts): the quantizer writes the reference kernel's layout
        // when every shape fits it and the natural one otherwise (stories260K's 64/172 dimensions).
        if (Layout != ReferenceLayout && Layout != NaturalLayout)
            throw Unsupported("layout", $"weight layout '{Layout}' (supported: '{ReferenceLayout}', '{NaturalLayout}')");
        var granularity = Model.Granularity.Find(Granularity, GroupSize)
            ?? throw Unsupported("group_size",
                $"granularity '{Granularity}' with group_size {Invariant.Text(GroupSize)} " +
                $"(supported: '{Model.Granularity.PerChannelName}' with group_size -1, '{Model.Granularity.PerGroupName}' with group_size 32, 64 or 128)");
        if (granularity.IsPerGroup && (architecture.HiddenSize % GroupSize != 0 || architecture.IntermediateSize % GroupSize != 0))
            throw Unsupported("group_size",
                $"group_size {Invariant.Text(GroupSize)} does not divide both hidden_size {Invariant.Text(architecture.HiddenSize)} " +
                $"and intermediate_size {Invariant.Text(architecture.IntermediateSize)}");
        return granularity;
    }

    private ManifestException Unsupported(string name, string problem) =>
        new(Descriptors.UnsupportedQuantization, _reader.NodeOf(name), atStartOnly: false, problem);
}
