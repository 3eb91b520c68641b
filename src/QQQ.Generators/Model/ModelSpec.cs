namespace QQQ.Generators.Model;

/// <summary>Everything the emitter needs for one model class; value-equal, so unchanged models are not re-emitted.</summary>
/// <param name="Namespace">Namespace of the class; empty for the global namespace.</param>
/// <param name="ClassName">A valid C# identifier.</param>
/// <param name="ModelName">The manifest's <c>name</c>.</param>
/// <param name="ArtifactFileName">File name of the artifact: the manifest's file name without <c>.json</c>.</param>
/// <param name="ModelType">The manifest's <c>architecture.model_type</c> ("llama", ...).</param>
/// <param name="HiddenSize">architecture.hidden_size</param>
/// <param name="IntermediateSize">architecture.intermediate_size</param>
/// <param name="LayerCount">architecture.num_hidden_layers</param>
/// <param name="HeadCount">architecture.num_attention_heads</param>
/// <param name="KeyValueHeadCount">architecture.num_key_value_heads</param>
/// <param name="VocabSize">architecture.vocab_size</param>
/// <param name="ContextLength">architecture.max_position_embeddings</param>
/// <param name="Granularity">Weight-scale granularity: the runtime type that binds it and its manifest values.</param>
internal sealed record ModelSpec(
    string Namespace,
    string ClassName,
    string ModelName,
    string ArtifactFileName,
    string ModelType,
    int HiddenSize,
    int IntermediateSize,
    int LayerCount,
    int HeadCount,
    int KeyValueHeadCount,
    int VocabSize,
    int ContextLength,
    Granularity Granularity)
{
    /// <summary>The class's fully qualified name, without <c>global::</c>.</summary>
    public string FullName => Namespace.Length == 0 ? ClassName : Namespace + "." + ClassName;
}
