using QQQ.Generators.Diagnostics;

namespace QQQ.Generators.Parsing;

/// <summary>
/// The manifest's <c>architecture</c> object, checked like the runtime's <c>ModelConfig.Validate</c> so that a
/// model the runtime would refuse fails the build instead.
/// </summary>
internal sealed class ArchitectureSection
{
    private readonly JsonObjectReader _reader;

    private ArchitectureSection(JsonObjectReader reader)
    {
        _reader = reader;
        ModelType = reader.RequiredString("model_type");
        HiddenSize = reader.RequiredInt("hidden_size");
        IntermediateSize = reader.RequiredInt("intermediate_size");
        LayerCount = reader.RequiredInt("num_hidden_layers");
        HeadCount = reader.RequiredInt("num_attention_heads");
        KeyValueHeadCount = reader.RequiredInt("num_key_value_heads");
        VocabSize = reader.RequiredInt("vocab_size");
        ContextLength = reader.RequiredInt("max_position_embeddings");
        RmsNormEps = reader.RequiredNumber("rms_norm_eps");
        RopeTheta = reader.RequiredNumber("rope_theta");
        reader.RequiredBool("tie_word_embeddings");
        reader.OptionalBool("attention_bias", false);
        BosTokenId = reader.OptionalInt("bos_token_id", 1);
        EosTokenId = reader.OptionalInt("eos_token_id", 2);
    }

    public string ModelType { get; }
    public int HiddenSize { get; }
    public int IntermediateSize { get; }
    public int LayerCount { get; }
    public int HeadCount { get; }
    public int KeyValueHeadCount { get; }
    public int VocabSize { get; }
    public int ContextLength { get; }
    public double RmsNormEps { get; }
    public double RopeTheta { get; }
    public int BosTokenId { get; }
    public int EosTokenId { get; }

    /// <summary>Reads every property; throws on a missing or wrong-typed one.</summary>
    public static ArchitectureSection Read(JsonObjectReader reader) => new(reader);

    /// <summary>Throws a QQQ101 <see cref="ManifestException"/> when the shape cannot describe a working model.</summary>
    public void Validate()
    {
        RequirePositive("hidden_size", HiddenSize);
        RequirePositive("intermediate_size", IntermediateSize);
        RequirePositive("num_hidden_layers", LayerCount);
        RequirePositive("num_attention_heads", HeadCount);
        RequirePositive("num_key_value_heads", KeyValueHeadCount);
        RequirePositive("vocab_size", VocabSize);
        RequirePositive("max_position_embeddings", ContextLength);
        Require("hidden_size", HiddenSize % HeadCount == 0,
            $"{Invariant.Text(HiddenSize)} is not divisible by num_attention_heads {Invariant.Text(HeadCount)}");
        Require("hidden_size", HiddenSize / HeadCount % 2 == 0,
            $"{Invariant.Text(HiddenSize)} / num_attention_heads {Invariant.Text(HeadCount)} gives the odd head dimension {Invariant.Text(HiddenSize / HeadCount)}; rotary embeddings need an even one");
        Require("num_key_value_heads", HeadCount % KeyValueHeadCount == 0,
            $"{Invariant.Text(KeyValueHeadCount)} does not divide num_attention_heads {Invariant.Text(HeadCount)}");
        RequirePositiveSingle("rms_norm_eps", RmsNormEps);
        RequirePositiveSingle("rope_theta", RopeTheta);
        RequireTokenId("bos_token_id", BosTokenId);
        RequireTokenId("eos_token_id", EosTokenId);
    }

    private void RequirePositive(string name, int value) =>
        Require(name, value > 0, $"must be positive, but is {Invariant.Text(value)}");

    private void RequirePositiveSingle(string name, double value)
    {
        var single = (float)value;
        Require(name, !float.IsNaN(single) && !float.IsInfinity(single) && single > 0,
            "must be a positive number that fits a float");
    }

    private void RequireTokenId(string name, int value) =>
        Require(name, value >= 0 && value < VocabSize,
            $"{Invariant.Text(value)} lies outside the vocabulary (vocab_size {Invariant.Text(VocabSize)})");

    private void Require(string name, bool condition, string problem)
    {
        if (!condition)
            throw new ManifestException(Descriptors.InvalidManifest, _reader.NodeOf(name), atStartOnly: false,
                _reader.PathOf(name) + " " + problem);
    }
}
