using QQQ.Formats;
using TorchSharp;
using static TorchSharp.torch;

namespace QQQ.Quantization.Reference;

/// <summary>
/// The float32 tensors of one decoder layer in HF layout; linear weights are (out_features, in_features).
/// Biases are null unless the architecture has them (Qwen2 q/k/v).
/// </summary>
public sealed class DecoderLayerWeights : IDisposable
{
    public required Tensor InputNorm { get; init; }        // (hidden)
    public required Tensor QProj { get; init; }            // (heads * head_dim, hidden)
    public required Tensor KProj { get; init; }            // (kv_heads * head_dim, hidden)
    public required Tensor VProj { get; init; }            // (kv_heads * head_dim, hidden)
    public required Tensor OProj { get; init; }            // (hidden, heads * head_dim)
    public required Tensor PostAttentionNorm { get; init; } // (hidden)
    public required Tensor GateProj { get; init; }         // (intermediate, hidden)
    public required Tensor UpProj { get; init; }           // (intermediate, hidden)
    public required Tensor DownProj { get; init; }         // (hidden, intermediate)
    public Tensor? QBias { get; init; }
    public Tensor? KBias { get; init; }
    public Tensor? VBias { get; init; }

    /// <summary>HF name prefix of layer <paramref name="index"/>.</summary>
    public static string Prefix(int index) => $"model.layers.{index}.";

    /// <summary>Reads layer <paramref name="index"/> from a checkpoint as float32 tensors.</summary>
    public static DecoderLayerWeights Read(ICheckpoint checkpoint, int index)
    {
        string p = Prefix(index);
        Tensor Load(string name) => CheckpointTensors.Read(checkpoint, p + name);
        Tensor? LoadOptional(string name) =>
            checkpoint.TensorNames.Contains(p + name) ? CheckpointTensors.Read(checkpoint, p + name) : null;
        return new DecoderLayerWeights
        {
            InputNorm = Load("input_layernorm.weight"),
            QProj = Load("self_attn.q_proj.weight"),
            KProj = Load("self_attn.k_proj.weight"),
            VProj = Load("self_attn.v_proj.weight"),
            OProj = Load("self_attn.o_proj.weight"),
            PostAttentionNorm = Load("post_attention_layernorm.weight"),
            GateProj = Load("mlp.gate_proj.weight"),
            UpProj = Load("mlp.up_proj.weight"),
            DownProj = Load("mlp.down_proj.weight"),
            QBias = LoadOptional("self_attn.q_proj.bias"),
            KBias = LoadOptional("self_attn.k_proj.bias"),
            VBias = LoadOptional("self_attn.v_proj.bias"),
        };
    }

    /// <summary>Throws a clear error when any weight of the layer is NaN or infinite.</summary>
    public void RequireFinite(string path, int index)
    {
        var named = new (string Name, Tensor? Value)[]
        {
            (CanonicalTensors.InputNorm, InputNorm), (CanonicalTensors.QProj, QProj), (CanonicalTensors.KProj, KProj),
            (CanonicalTensors.VProj, VProj), (CanonicalTensors.OProj, OProj), (CanonicalTensors.PostAttentionNorm, PostAttentionNorm),
            (CanonicalTensors.GateProj, GateProj), (CanonicalTensors.UpProj, UpProj), (CanonicalTensors.DownProj, DownProj),
            (CanonicalTensors.QBias, QBias), (CanonicalTensors.KBias, KBias), (CanonicalTensors.VBias, VBias),
        };
        foreach (var (name, value) in named)
            if (value is not null) CheckpointTensors.RequireFinite(value, path, $"{Prefix(index)}{name}");
    }

    public void Dispose()
    {
        foreach (var t in new[] { InputNorm, QProj, KProj, VProj, OProj, PostAttentionNorm, GateProj, UpProj, DownProj, QBias, KBias, VBias })
            t?.Dispose();
    }
}

/// <summary>Checkpoint tensors as TorchSharp float32 tensors in their canonical shapes.</summary>
public static class CheckpointTensors
{
    public static Tensor Read(ICheckpoint checkpoint, string name)
    {
        var shape = checkpoint.GetShape(name).Select(d => (long)d).ToArray();
        return tensor(checkpoint.ReadTensor(name), shape, ScalarType.Float32);
    }

    public static void RequireFinite(Tensor value, string path, string name)
    {
        using var finite = value.isfinite().all();
        if (!finite.item<bool>()) throw new ModelFormatException(path, $"tensor {name} contains NaN or infinite values");
    }
}
