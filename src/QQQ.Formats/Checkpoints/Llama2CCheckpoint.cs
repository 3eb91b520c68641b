namespace QQQ.Formats;

/// <summary>
/// A llama2.c v0 checkpoint (fp32, see <see cref="Llama2CLayout"/>), memory-mapped and presented in
/// Hugging Face form: canonical names (w1 gate_proj, w3 up_proj, w2 down_proj, rms_att
/// input_layernorm, rms_ffn post_attention_layernorm, rms_final model.norm) and q/k rows permuted
/// from llama2.c's adjacent-pair RoPE to HF's rotate-half order, so downstream code sees one convention.
/// </summary>
public sealed class Llama2CCheckpoint : ICheckpoint
{
    readonly MappedFile file;
    readonly Dictionary<string, Llama2CTensor> tensors;

    Llama2CCheckpoint(MappedFile file, Llama2CLayout layout)
    {
        this.file = file;
        Config = layout.Config;
        tensors = layout.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        TensorNames = layout.Tensors.Select(t => t.Name).ToArray();
    }

    /// <inheritdoc/>
    public string SourcePath => file.Path;

    /// <inheritdoc/>
    public ModelConfig Config { get; }

    /// <summary>Canonical names in file order; <c>lm_head.weight</c> only when the classifier is untied.</summary>
    public IReadOnlyCollection<string> TensorNames { get; }

    /// <summary>Opens and validates the file: its size must be exactly what the header implies.</summary>
    public static Llama2CCheckpoint Open(string path)
    {
        var file = MappedFile.Open(path, Llama2CLayout.HeaderBytes, "the llama2.c header (7 int32)");
        try
        {
            var layout = Llama2CLayout.FromHeader(path, file.Span(0, Llama2CLayout.HeaderBytes), file.Length);
            return new Llama2CCheckpoint(file, layout);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public int[] GetShape(string name) => [.. Find(name).Shape];

    /// <inheritdoc/>
    public float[] ReadTensor(string name)
    {
        var tensor = Find(name);
        var values = new float[tensor.Shape.Aggregate(1L, (count, size) => count * size)];
        file.ReadFloat32(tensor.ByteOffset, SafetensorsDType.F32, values);
        return tensor.RopeHeads == 0
            ? values
            : RopePermutation.AdjacentPairsToRotateHalf(values, tensor.RopeHeads, Config.HeadDim, tensor.Shape[1]);
    }

    Llama2CTensor Find(string name) =>
        tensors.TryGetValue(name, out var tensor) ? tensor : throw new KeyNotFoundException($"{SourcePath}: no tensor named {MessageText.Quote(name)}");

    /// <summary>Unmaps the file.</summary>
    public void Dispose() => file.Dispose();
}
