using System.Text.Json.Nodes;
using QQQ.Formats.Tests.Support;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Checkpoints;

/// <summary>Good synthetic Hugging Face folders: config variants, sharding, dtypes.</summary>
public sealed class HuggingFaceCheckpointTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Reads_config_fields_and_tensor_values()
    {
        var model = new SyntheticHf();
        model.Write(temp.Path);
        using var checkpoint = HuggingFaceCheckpoint.Open(temp.Path);

        var c = checkpoint.Config;
        Assert.Equal((8, 12, 2, 2, 1, 16, 32), (c.HiddenSize, c.IntermediateSize, c.NumLayers, c.NumHeads, c.NumKeyValueHeads, c.VocabSize, c.MaxSequenceLength));
        Assert.Equal(500000f, c.RopeTheta);   // top-level rope_theta (transformers 4 style)
        Assert.Equal(1e-6f, c.RmsNormEps);
        Assert.False(c.TiedEmbeddings);
        Assert.Equal(3, c.EosTokenId);        // first of the list
        Assert.Contains("lm_head.weight", checkpoint.TensorNames);
        Assert.Equal(model.Tensors.Count, checkpoint.TensorNames.Count);
        foreach (var (name, shape) in model.Tensors)
        {
            Assert.Equal(shape, checkpoint.GetShape(name));
            Assert.Equal(SyntheticHf.ValuesOf(name, shape), checkpoint.ReadTensor(name));
        }
    }

    [Fact]
    public void Reads_a_sharded_folder_through_its_index()
    {
        var model = new SyntheticHf();
        model.WriteSharded(temp.Path);
        using var checkpoint = CheckpointLoader.Open(temp.Path);
        foreach (var (name, shape) in model.Tensors)
            Assert.Equal(SyntheticHf.ValuesOf(name, shape), checkpoint.ReadTensor(name));
    }

    [Fact]
    public void Converts_f16_weights_to_float32()
    {
        var model = new SyntheticHf();
        model.Write(temp.Path, half: true);
        using var checkpoint = HuggingFaceCheckpoint.Open(temp.Path);
        var expected = SyntheticHf.ValuesOf("model.layers.1.mlp.down_proj.weight", [8, 12]).Select(v => (float)(Half)v);
        Assert.Equal(expected, checkpoint.ReadTensor("model.layers.1.mlp.down_proj.weight"));
    }

    [Fact]
    public void Missing_optional_fields_take_the_transformers_defaults()
    {
        var model = new SyntheticHf();
        foreach (var field in new[] { "rope_theta", "num_key_value_heads", "bos_token_id", "eos_token_id", "hidden_act", "tie_word_embeddings" })
            model.Config.Remove(field);
        model.Tensors.Remove("lm_head.weight");
        model.Tensors["model.layers.0.self_attn.k_proj.weight"] = [8, 8];
        model.Tensors["model.layers.0.self_attn.v_proj.weight"] = [8, 8];
        model.Tensors["model.layers.1.self_attn.k_proj.weight"] = [8, 8];
        model.Tensors["model.layers.1.self_attn.v_proj.weight"] = [8, 8];
        model.Config["tie_word_embeddings"] = true;
        model.Write(temp.Path);
        using var checkpoint = HuggingFaceCheckpoint.Open(temp.Path);
        Assert.Equal(10000f, checkpoint.Config.RopeTheta);
        Assert.Equal(2, checkpoint.Config.NumKeyValueHeads);
        Assert.Equal((1, 2), (checkpoint.Config.BosTokenId, checkpoint.Config.EosTokenId));
        Assert.True(checkpoint.Config.TiedEmbeddings);
    }

    [Fact]
    public void Transformers5_rope_parameters_win_and_tied_lm_head_is_ignored()
    {
        var model = new SyntheticHf();
        model.Config.Remove("rope_theta");
        model.Config["rope_parameters"] = new JsonObject { ["rope_type"] = "default", ["rope_theta"] = 1000000.0 };
        model.Config["tie_word_embeddings"] = true; // lm_head.weight stays in the file: transformers overwrites it
        model.Write(temp.Path);
        using var checkpoint = HuggingFaceCheckpoint.Open(temp.Path);
        Assert.Equal(1e6f, checkpoint.Config.RopeTheta);
        Assert.DoesNotContain("lm_head.weight", checkpoint.TensorNames);
    }

    [Fact]
    public void Qwen2_has_qkv_biases()
    {
        var model = new SyntheticHf();
        model.Config["model_type"] = "qwen2";
        for (int layer = 0; layer < 2; layer++)
        {
            model.Tensors[$"model.layers.{layer}.self_attn.q_proj.bias"] = [8];
            model.Tensors[$"model.layers.{layer}.self_attn.k_proj.bias"] = [4];
            model.Tensors[$"model.layers.{layer}.self_attn.v_proj.bias"] = [4];
        }
        model.Write(temp.Path);
        using var checkpoint = HuggingFaceCheckpoint.Open(temp.Path);
        Assert.True(checkpoint.Config.AttentionBias);
        Assert.Equal(SyntheticHf.ValuesOf("model.layers.1.self_attn.k_proj.bias", [4]), checkpoint.ReadTensor("model.layers.1.self_attn.k_proj.bias"));
    }

    [Fact]
    public void Qwen2_without_its_biases_is_refused()
    {
        var model = new SyntheticHf();
        model.Config["model_type"] = "qwen2";
        model.Write(temp.Path);
        var error = Assert.Throws<ModelFormatException>(() => HuggingFaceCheckpoint.Open(temp.Path));
        Assert.Contains("missing 6 tensor(s)", error.Problem);
        Assert.Contains("model.layers.0.self_attn.q_proj.bias", error.Problem);
    }

    [Fact]
    public void Mistral_sliding_window_bounds_the_sequence_length()
    {
        var model = new SyntheticHf();
        model.Config["model_type"] = "mistral";
        model.Config["sliding_window"] = 16;
        model.Write(temp.Path);
        using var checkpoint = HuggingFaceCheckpoint.Open(temp.Path);
        Assert.Equal("mistral", checkpoint.Config.ModelType);
        Assert.Equal(16, checkpoint.Config.MaxSequenceLength);
    }

    [Fact]
    public void Old_rotary_buffers_are_ignored()
    {
        var model = new SyntheticHf();
        model.Tensors["model.layers.0.self_attn.rotary_emb.inv_freq"] = [2];
        model.Write(temp.Path);
        using var checkpoint = HuggingFaceCheckpoint.Open(temp.Path);
        Assert.DoesNotContain("model.layers.0.self_attn.rotary_emb.inv_freq", checkpoint.TensorNames);
    }
}
