using System.Text.Json.Nodes;

namespace QQQ.Formats.Tests.Support;

/// <summary>
/// A tiny Hugging Face LLaMA folder (hidden 8, 2 heads, 1 kv head, intermediate 12, 2 layers, vocab 16,
/// untied), written with plain JSON and the safetensors writer. Names and shapes are spelled out here,
/// independently of the reader, and tests edit config or tensors before writing to make bad folders.
/// </summary>
public sealed class SyntheticHf
{
    public const int Hidden = 8, Heads = 2, KvHeads = 1, HeadDim = 4, Intermediate = 12, Layers = 2, Vocab = 16;

    public JsonObject Config { get; } = new()
    {
        ["architectures"] = new JsonArray("LlamaForCausalLM"),
        ["model_type"] = "llama",
        ["hidden_size"] = Hidden,
        ["intermediate_size"] = Intermediate,
        ["num_hidden_layers"] = Layers,
        ["num_attention_heads"] = Heads,
        ["num_key_value_heads"] = KvHeads,
        ["vocab_size"] = Vocab,
        ["max_position_embeddings"] = 32,
        ["rms_norm_eps"] = 1e-6,
        ["rope_theta"] = 500000.0,
        ["tie_word_embeddings"] = false,
        ["bos_token_id"] = 1,
        ["eos_token_id"] = new JsonArray(3, 2),
        ["hidden_act"] = "silu",
    };

    /// <summary>Tensor name to shape; values are generated from a seeded RNG when written.</summary>
    public SortedDictionary<string, int[]> Tensors { get; } = new(StringComparer.Ordinal);

    public SyntheticHf()
    {
        Tensors["model.embed_tokens.weight"] = [Vocab, Hidden];
        for (int layer = 0; layer < Layers; layer++)
        {
            var prefix = $"model.layers.{layer}.";
            Tensors[prefix + "input_layernorm.weight"] = [Hidden];
            Tensors[prefix + "self_attn.q_proj.weight"] = [Heads * HeadDim, Hidden];
            Tensors[prefix + "self_attn.k_proj.weight"] = [KvHeads * HeadDim, Hidden];
            Tensors[prefix + "self_attn.v_proj.weight"] = [KvHeads * HeadDim, Hidden];
            Tensors[prefix + "self_attn.o_proj.weight"] = [Hidden, Heads * HeadDim];
            Tensors[prefix + "post_attention_layernorm.weight"] = [Hidden];
            Tensors[prefix + "mlp.gate_proj.weight"] = [Intermediate, Hidden];
            Tensors[prefix + "mlp.up_proj.weight"] = [Intermediate, Hidden];
            Tensors[prefix + "mlp.down_proj.weight"] = [Hidden, Intermediate];
        }
        Tensors["model.norm.weight"] = [Hidden];
        Tensors["lm_head.weight"] = [Vocab, Hidden];
    }

    /// <summary>The values written for a tensor: a deterministic function of its name.</summary>
    public static float[] ValuesOf(string name, int[] shape) =>
        QQQ.TestSupport.Numerics.RandomNonZero(new Random(StableSeed(name)), shape.Aggregate(1, (a, b) => a * b));

    static int StableSeed(string text) => text.Aggregate(17, (hash, c) => unchecked(hash * 31 + c));

    /// <summary>Writes config.json and model.safetensors (F16 when <paramref name="half"/>) into <paramref name="folder"/>.</summary>
    public void Write(string folder, bool half = false)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), Config.ToJsonString());
        WriteTensors(Path.Combine(folder, "model.safetensors"), Tensors.Keys, half);
    }

    /// <summary>Writes config.json, two shards split at layer 1 and model.safetensors.index.json.</summary>
    public void WriteSharded(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), Config.ToJsonString());
        var first = Tensors.Keys.Where(n => !n.StartsWith("model.layers.1.") && n != "lm_head.weight").ToList();
        var second = Tensors.Keys.Except(first).ToList();
        WriteTensors(Path.Combine(folder, "model-00001-of-00002.safetensors"), first, half: false);
        WriteTensors(Path.Combine(folder, "model-00002-of-00002.safetensors"), second, half: false);
        var weightMap = new JsonObject();
        foreach (var name in first) weightMap[name] = "model-00001-of-00002.safetensors";
        foreach (var name in second) weightMap[name] = "model-00002-of-00002.safetensors";
        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = 0 }, ["weight_map"] = weightMap };
        File.WriteAllText(Path.Combine(folder, "model.safetensors.index.json"), index.ToJsonString());
    }

    void WriteTensors(string path, IEnumerable<string> names, bool half)
    {
        var writer = new SafetensorsWriter();
        writer.Metadata["format"] = "pt";
        foreach (var name in names)
        {
            var values = ValuesOf(name, Tensors[name]);
            if (half) writer.Add<Half>(name, Tensors[name], values.Select(v => (Half)v).ToArray());
            else writer.Add<float>(name, Tensors[name], values);
        }
        writer.Write(path);
    }
}
