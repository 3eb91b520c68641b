using System.Text.Json.Nodes;
using QQQ.Formats.Tests.Support;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Checkpoints;

/// <summary>Each defect of a Hugging Face folder: a ModelFormatException naming the file and the problem.</summary>
public sealed class HuggingFaceMalformedTests : IDisposable
{
    readonly TempFolder temp = new();
    readonly SyntheticHf model = new();

    public void Dispose() => temp.Dispose();

    string ConfigPath => temp.File("config.json");

    ModelFormatException OpenFails()
    {
        var error = Assert.Throws<ModelFormatException>(() => HuggingFaceCheckpoint.Open(temp.Path).Dispose());
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }

    ModelFormatException WriteAndOpenFails()
    {
        model.Write(temp.Path);
        return OpenFails();
    }

    [Fact]
    public void Config_missing_a_field()
    {
        model.Config.Remove("hidden_size");
        var error = WriteAndOpenFails();
        Assert.Equal(ConfigPath, error.FilePath);
        Assert.Contains("field 'hidden_size' is missing", error.Problem);
    }

    [Fact]
    public void Config_field_of_the_wrong_type()
    {
        model.Config["num_hidden_layers"] = "two";
        var error = WriteAndOpenFails();
        Assert.Equal(ConfigPath, error.FilePath);
        Assert.Contains("field 'num_hidden_layers' must be a positive integer, not '\"two\"'", error.Problem);
    }

    [Fact]
    public void Hidden_size_not_divisible_by_heads()
    {
        model.Config["num_attention_heads"] = 3;
        var error = WriteAndOpenFails();
        Assert.Equal(ConfigPath, error.FilePath);
        Assert.Contains("hidden_size 8 is not divisible by num_attention_heads 3", error.Problem);
    }

    [Fact]
    public void Heads_not_a_multiple_of_kv_heads()
    {
        model.Config["num_key_value_heads"] = 4;
        Assert.Contains("not a multiple of num_key_value_heads 4", WriteAndOpenFails().Problem);
    }

    [Fact]
    public void Config_not_json()
    {
        model.Write(temp.Path);
        File.WriteAllText(ConfigPath, "{\"model_type\": \"llama\",");
        var error = OpenFails();
        Assert.Equal(ConfigPath, error.FilePath);
        Assert.Contains("not valid JSON", error.Problem);
    }

    [Fact]
    public void Unsupported_model_type()
    {
        model.Config["model_type"] = "gpt2";
        Assert.Contains("model_type 'gpt2' is not supported", WriteAndOpenFails().Problem);
    }

    [Fact]
    public void Rope_scaling_is_refused()
    {
        model.Config["rope_scaling"] = new JsonObject { ["rope_type"] = "llama3", ["factor"] = 8.0 };
        Assert.Contains("RoPE type 'llama3' is not supported", WriteAndOpenFails().Problem);
    }

    [Fact]
    public void Head_dim_other_than_hidden_over_heads_is_refused()
    {
        model.Config["head_dim"] = 8;
        Assert.Contains("head_dim 8 differs from hidden_size / num_attention_heads = 4", WriteAndOpenFails().Problem);
    }

    [Fact]
    public void Tensor_shape_disagrees_with_config()
    {
        model.Tensors["model.layers.1.self_attn.k_proj.weight"] = [8, 8];
        var error = WriteAndOpenFails();
        Assert.Equal(temp.File("model.safetensors"), error.FilePath);
        Assert.Contains("tensor shapes disagree with config.json: 'model.layers.1.self_attn.k_proj.weight' is [8, 8], expected [4, 8]", error.Problem);
    }

    [Fact]
    public void Tensor_missing()
    {
        model.Tensors.Remove("model.layers.1.mlp.up_proj.weight");
        var error = WriteAndOpenFails();
        Assert.Equal(temp.File("model.safetensors"), error.FilePath);
        Assert.Contains("missing 1 tensor(s) that config.json calls for: model.layers.1.mlp.up_proj.weight", error.Problem);
    }

    [Fact]
    public void Lm_head_missing_while_untied()
    {
        model.Tensors.Remove("lm_head.weight");
        Assert.Contains("lm_head.weight (config.json has tie_word_embeddings false)", WriteAndOpenFails().Problem);
    }

    [Fact]
    public void Tensor_the_config_does_not_describe()
    {
        model.Tensors["model.layers.0.self_attn.o_proj.bias"] = [8];
        Assert.Contains("1 tensor(s) that config.json does not describe: 'model.layers.0.self_attn.o_proj.bias'", WriteAndOpenFails().Problem);
    }

    [Fact]
    public void Absurd_layer_count_is_refused_before_listing_tensors()
    {
        model.Config["num_hidden_layers"] = int.MaxValue;
        Assert.Contains($"num_hidden_layers {int.MaxValue}, but the files hold only", WriteAndOpenFails().Problem);
    }

    [Fact]
    public void Integer_weights_are_refused()
    {
        model.Write(temp.Path);
        var writer = new SafetensorsWriter();
        using (var good = SafetensorsFile.Open(temp.File("model.safetensors")))
        {
            foreach (var tensor in good.Tensors)
            {
                if (tensor.Name == "model.norm.weight") writer.Add<int>(tensor.Name, [8], new int[8]);
                else writer.Add(tensor.Name, tensor.DType, tensor.ShapeArray(), good.GetBytes(tensor.Name));
            }
        }
        writer.Write(temp.File("model.safetensors"));
        Assert.Contains("tensor 'model.norm.weight' has dtype I32", OpenFails().Problem);
    }

    [Fact]
    public void No_weights_file()
    {
        model.Write(temp.Path);
        File.Delete(temp.File("model.safetensors"));
        var error = OpenFails();
        Assert.Equal(temp.Path, error.FilePath);
        Assert.Contains("neither model.safetensors nor model.safetensors.index.json", error.Problem);
    }

    [Fact]
    public void No_config()
    {
        model.Write(temp.Path);
        File.Delete(ConfigPath);
        Assert.Contains("no config.json in this folder", OpenFails().Problem);
    }

    [Fact]
    public void Index_pointing_outside_the_folder()
    {
        model.WriteSharded(temp.Path);
        var indexPath = temp.File("model.safetensors.index.json");
        File.WriteAllText(indexPath, File.ReadAllText(indexPath).Replace("model-00002-of-00002.safetensors", "../elsewhere.safetensors"));
        var error = OpenFails();
        Assert.Equal(indexPath, error.FilePath);
        Assert.Contains("'../elsewhere.safetensors', which is not a plain file name", error.Problem);
    }

    [Fact]
    public void Index_naming_a_tensor_its_shard_lacks()
    {
        model.WriteSharded(temp.Path);
        var indexPath = temp.File("model.safetensors.index.json");
        var index = JsonNode.Parse(File.ReadAllText(indexPath))!;
        index["weight_map"]!["model.norm.weight"] = "model-00002-of-00002.safetensors";
        File.WriteAllText(indexPath, index.ToJsonString());
        Assert.Contains("puts 'model.norm.weight' in 'model-00002-of-00002.safetensors', which has no such tensor", OpenFails().Problem);
    }

    [Fact]
    public void Index_naming_a_missing_shard()
    {
        model.WriteSharded(temp.Path);
        File.Delete(temp.File("model-00002-of-00002.safetensors"));
        var error = OpenFails();
        Assert.Equal(temp.File("model-00002-of-00002.safetensors"), error.FilePath);
        Assert.Contains("file not found", error.Problem);
    }
}
