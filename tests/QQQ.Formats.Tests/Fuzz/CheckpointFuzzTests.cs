using System.Text.Json.Nodes;
using QQQ.Formats.Tests.Support;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Fuzz;

/// <summary>
/// Mutated checkpoints: Hugging Face config.json and shard index edits, llama2.c headers with random
/// ints, bit flips and truncations. Each open plus full read succeeds or throws ModelFormatException.
/// </summary>
public sealed class CheckpointFuzzTests : IDisposable
{
    const int Seed = 4_2026_11;

    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    static void ReadEverything(string path)
    {
        using var checkpoint = CheckpointLoader.Open(path);
        checkpoint.Config.Validate(path);
        foreach (var name in checkpoint.TensorNames)
        {
            var values = checkpoint.ReadTensor(name);
            Assert.Equal(checkpoint.GetShape(name).Aggregate(1L, (a, b) => a * b), values.Length);
        }
    }

    static readonly string[] ConfigFields =
    [
        "model_type", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
        "vocab_size", "max_position_embeddings", "rms_norm_eps", "rope_theta", "tie_word_embeddings", "bos_token_id",
        "eos_token_id", "hidden_act", "head_dim", "attention_bias", "mlp_bias", "rope_parameters", "rope_scaling", "sliding_window",
    ];

    [Fact]
    public void Mutated_hugging_face_folders_open_or_fail_with_a_format_error()
    {
        const int cases = 1200;
        var model = new SyntheticHf();
        var single = Path.Combine(temp.Path, "single");
        var sharded = Path.Combine(temp.Path, "sharded");
        model.Write(single);
        model.WriteSharded(sharded);
        var config = File.ReadAllText(Path.Combine(single, "config.json"));
        var indexPath = Path.Combine(sharded, "model.safetensors.index.json");
        var index = File.ReadAllText(indexPath);
        var random = new Random(Seed);
        var harness = new FuzzHarness();

        for (int i = 0; i < cases; i++)
        {
            int kind = random.Next(4);
            var folder = kind == 3 ? sharded : single;
            WriteText(Path.Combine(folder, "config.json"), kind switch
            {
                0 => Mutations.MutateJsonText(random, config),
                1 or 2 => MutateConfigField(random, config),
                _ => config,
            });
            if (kind == 3) WriteText(indexPath, MutateIndex(random, index));
            harness.Run($"case {i} (kind {kind}, seed {Seed})", () => ReadEverything(folder));
        }
        harness.AssertBothOutcomesSeen(cases / 20);
    }

    /// <summary>UTF-8 with replacement characters: mutated text may hold lone surrogates that File.WriteAllText refuses.</summary>
    static void WriteText(string path, string text) => File.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    static string MutateConfigField(Random random, string config)
    {
        var root = JsonNode.Parse(config)!.AsObject();
        for (int n = random.Next(1, 3); n > 0; n--)
        {
            var field = ConfigFields[random.Next(ConfigFields.Length)];
            switch (random.Next(4))
            {
                case 0:
                    root.Remove(field);
                    break;
                case 1:
                    root[field] = Mutations.NastyInt(random);
                    break;
                case 2:
                    root[field] = JsonNode.Parse(Mutations.NastyJsonValue(random));
                    break;
                default:
                    root[field] = new JsonObject { ["rope_type"] = random.Next(2) == 0 ? "default" : "yarn", ["rope_theta"] = JsonNode.Parse(Mutations.NastyJsonValue(random)) };
                    break;
            }
        }
        return root.ToJsonString();
    }

    static string MutateIndex(Random random, string index)
    {
        if (random.Next(3) == 0) return Mutations.MutateJsonText(random, index);
        var root = JsonNode.Parse(index)!.AsObject();
        var map = root["weight_map"]!.AsObject();
        var names = map.Select(p => p.Key).ToList();
        var name = names[random.Next(names.Count)];
        string[] values = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "../x.safetensors", "/etc/passwd", "", ".", "missing.safetensors", "config.json"];
        switch (random.Next(4))
        {
            case 0:
                map[name] = values[random.Next(values.Length)];
                break;
            case 1:
                map.Remove(name);
                break;
            case 2:
                map["extra." + name] = map[name]!.DeepClone();
                break;
            default:
                map[name] = JsonNode.Parse(Mutations.NastyJsonValue(random));
                break;
        }
        return root.ToJsonString();
    }

    [Fact]
    public void Mutated_llama2c_files_open_or_fail_with_a_format_error()
    {
        const int cases = 1500;
        var original = SyntheticLlama2C.Build(8, 4, 2, 2, 1, -6, 4);
        var path = temp.File("model.bin");
        var random = new Random(Seed);
        var harness = new FuzzHarness();

        for (int i = 0; i < cases; i++)
        {
            int kind = random.Next(5);
            byte[] bytes = kind switch
            {
                0 => RandomHeaderInts(random, original),
                1 => Mutations.FlipBits(random, original, 0, 28),
                2 => Mutations.Truncate(random, original),
                3 => Mutations.FlipBits(random, original, 28, original.Length),
                _ => RandomConsistentFile(random),
            };
            File.WriteAllBytes(path, bytes);
            harness.Run($"case {i} (kind {kind}, seed {Seed})", () => ReadEverything(path));
        }
        harness.AssertBothOutcomesSeen(cases / 20);
    }

    static byte[] RandomHeaderInts(Random random, byte[] original)
    {
        var bytes = (byte[])original.Clone();
        for (int field = 0; field < 7; field++)
            if (random.Next(3) == 0) BitConverter.TryWriteBytes(bytes.AsSpan(4 * field), Mutations.NastyInt(random));
        return bytes;
    }

    /// <summary>A file sized exactly for a small random header, which may still be inconsistent (heads vs dim, vocab &lt; 3).</summary>
    static byte[] RandomConsistentFile(Random random)
    {
        int heads = random.Next(1, 5);
        return SyntheticLlama2C.Build(dim: heads * 2 * random.Next(1, 4) + random.Next(2), hidden: random.Next(1, 9), layers: random.Next(1, 4),
            heads: heads, kvHeads: random.Next(1, 5), vocab: random.Next(-8, 9) switch { 0 => 1, var v => v }, seqLen: random.Next(1, 6));
    }
}
