using System.Text.Json.Nodes;
using QQQ.Formats;

namespace QQQ.Cli.Tests.Support;

/// <summary>
/// A small random LLaMA in a Hugging Face folder, spelled out here independently of the readers: hidden 128, 2 heads of
/// 64, intermediate 256, 2 layers, vocab 512 (so stories260K's tok512.bin tokenizes for it, copied beside). Every
/// dimension fits the reference kernel's layout (K % 128, N % 64), so it quantizes per-group 128 and exports. Weights
/// are fp16, as most checkpoints are; tests edit <see cref="Config"/> or <see cref="Edit"/> tensors to make bad folders.
/// </summary>
public sealed class TinyLlama
{
    public const int Hidden = 128, Heads = 2, HeadDim = 64, Intermediate = 256, Layers = 2, Vocab = 512;

    public JsonObject Config { get; } = new()
    {
        ["architectures"] = new JsonArray("LlamaForCausalLM"),
        ["model_type"] = "llama",
        ["hidden_size"] = Hidden,
        ["intermediate_size"] = Intermediate,
        ["num_hidden_layers"] = Layers,
        ["num_attention_heads"] = Heads,
        ["num_key_value_heads"] = Heads,
        ["vocab_size"] = Vocab,
        ["max_position_embeddings"] = 256,
        ["rms_norm_eps"] = 1e-5,
        ["rope_theta"] = 10000.0,
        ["tie_word_embeddings"] = false,
        ["hidden_act"] = "silu",
        ["torch_dtype"] = "float16",
    };

    /// <summary>Changes applied to a tensor's values before writing, by name.</summary>
    public Dictionary<string, Action<float[]>> Edit { get; } = new(StringComparer.Ordinal);

    public static IEnumerable<(string Name, int[] Shape)> Tensors()
    {
        yield return ("model.embed_tokens.weight", [Vocab, Hidden]);
        for (int layer = 0; layer < Layers; layer++)
        {
            string p = $"model.layers.{layer}.";
            yield return (p + "input_layernorm.weight", [Hidden]);
            yield return (p + "self_attn.q_proj.weight", [Heads * HeadDim, Hidden]);
            yield return (p + "self_attn.k_proj.weight", [Heads * HeadDim, Hidden]);
            yield return (p + "self_attn.v_proj.weight", [Heads * HeadDim, Hidden]);
            yield return (p + "self_attn.o_proj.weight", [Hidden, Heads * HeadDim]);
            yield return (p + "post_attention_layernorm.weight", [Hidden]);
            yield return (p + "mlp.gate_proj.weight", [Intermediate, Hidden]);
            yield return (p + "mlp.up_proj.weight", [Intermediate, Hidden]);
            yield return (p + "mlp.down_proj.weight", [Hidden, Intermediate]);
        }
        yield return ("model.norm.weight", [Hidden]);
        yield return ("lm_head.weight", [Vocab, Hidden]);
    }

    public void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), Config.ToJsonString());
        File.Copy(QQQ.TestSupport.SharedData.Stories260KTokenizer, Path.Combine(folder, "tok512.bin"), overwrite: true);
        var random = new Random(42);
        var writer = new SafetensorsWriter();
        foreach (var (name, shape) in Tensors())
        {
            int count = shape.Aggregate(1, (a, b) => a * b);
            bool norm = shape.Length == 1;
            // Norm weights near 1, other weights with the spread of a trained model's (std ~ 1/sqrt(fan-in)).
            float scale = norm ? 0.2f : 1f / MathF.Sqrt(shape[^1]);
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = (norm ? 1f : 0f) + scale * (float)(random.NextDouble() * 2 - 1) * 1.7f;
            if (Edit.TryGetValue(name, out var edit)) edit(values);
            writer.Add<Half>(name, shape, values.Select(v => (Half)v).ToArray());
        }
        writer.Write(Path.Combine(folder, "model.safetensors"));
    }
}
