using System.Text.Json;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Checkpoints;

/// <summary>llama-sotu-26m: fp16, tied, transformers-5 config with rope_parameters, vocab 32000.</summary>
public class LlamaSotuTests
{
    [Fact]
    public void Config_matches_the_model_card()
    {
        using var model = HuggingFaceCheckpoint.Open(SharedData.LlamaSotu);
        var c = model.Config;
        Assert.Equal("llama", c.ModelType);
        Assert.Equal(384, c.HiddenSize);
        Assert.Equal(1024, c.IntermediateSize);
        Assert.Equal(8, c.NumLayers);
        Assert.Equal(6, c.NumHeads);
        Assert.Equal(6, c.NumKeyValueHeads);
        Assert.Equal(64, c.HeadDim);
        Assert.Equal(32000, c.VocabSize);
        Assert.Equal(1024, c.MaxSequenceLength);
        Assert.Equal(10000f, c.RopeTheta);
        Assert.Equal(1e-5f, c.RmsNormEps);
        Assert.True(c.TiedEmbeddings);
        Assert.False(c.AttentionBias);
        Assert.Equal(1, c.BosTokenId);
        Assert.Equal(2, c.EosTokenId);
    }

    [Fact]
    public void Tensor_shapes_follow_the_config_and_lm_head_is_tied()
    {
        using var model = HuggingFaceCheckpoint.Open(SharedData.LlamaSotu);
        Assert.Equal(1 + 8 * 9 + 1, model.TensorNames.Count);
        Assert.DoesNotContain("lm_head.weight", model.TensorNames);
        Assert.Throws<KeyNotFoundException>(() => model.ReadTensor("lm_head.weight"));
        Assert.Equal([32000, 384], model.GetShape("model.embed_tokens.weight"));
        Assert.Equal([384, 384], model.GetShape("model.layers.7.self_attn.k_proj.weight"));
        Assert.Equal([1024, 384], model.GetShape("model.layers.0.mlp.up_proj.weight"));
        Assert.Equal([384, 1024], model.GetShape("model.layers.3.mlp.down_proj.weight"));
        Assert.Equal([384], model.GetShape("model.norm.weight"));
        Assert.Equal(384 * 1024, model.ReadTensor("model.layers.3.mlp.down_proj.weight").Length);
    }

    [Theory]
    [InlineData("model.layers.3.mlp.down_proj.weight", 383, 1023)]
    [InlineData("model.layers.3.mlp.down_proj.weight", 17, 900)]
    [InlineData("model.embed_tokens.weight", 31999, 5)]
    public void F16_values_match_the_bytes_decoded_by_hand(string name, int row, int column)
    {
        var path = Path.Combine(SharedData.LlamaSotu, "model.safetensors");
        using var stream = File.OpenRead(path);
        var prefix = new byte[8];
        stream.ReadExactly(prefix);
        var header = new byte[BitConverter.ToUInt64(prefix)];
        stream.ReadExactly(header);
        var entry = JsonDocument.Parse(header).RootElement.GetProperty(name);
        Assert.Equal("F16", entry.GetProperty("dtype").GetString());
        int columns = entry.GetProperty("shape")[1].GetInt32();
        stream.Position = 8 + header.Length + entry.GetProperty("data_offsets")[0].GetInt64() + 2L * (row * columns + column);
        var raw = new byte[2];
        stream.ReadExactly(raw);
        float expected = (float)BitConverter.ToHalf(raw);

        using var model = HuggingFaceCheckpoint.Open(SharedData.LlamaSotu);
        Assert.NotEqual(0f, expected);
        Assert.Equal(expected, model.ReadTensor(name)[row * columns + column]);
    }
}
