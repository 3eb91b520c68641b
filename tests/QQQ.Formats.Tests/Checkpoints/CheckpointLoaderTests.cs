using QQQ.Formats.Tests.Support;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Checkpoints;

public class CheckpointLoaderTests
{
    [Fact]
    public void A_folder_opens_as_hugging_face()
    {
        using var checkpoint = CheckpointLoader.Open(SharedData.Stories260KHf);
        Assert.IsType<HuggingFaceCheckpoint>(checkpoint);
        Assert.Equal(SharedData.Stories260KHf, checkpoint.SourcePath);
    }

    [Fact]
    public void A_model_safetensors_path_opens_its_folder()
    {
        using var checkpoint = CheckpointLoader.Open(Path.Combine(SharedData.LlamaSotu, "model.safetensors"));
        Assert.IsType<HuggingFaceCheckpoint>(checkpoint);
        Assert.Equal(384, checkpoint.Config.HiddenSize);
    }

    [Fact]
    public void Any_other_file_opens_as_llama2c()
    {
        using var checkpoint = CheckpointLoader.Open(SharedData.Stories260KBin);
        Assert.IsType<Llama2CCheckpoint>(checkpoint);
    }

    [Fact]
    public void A_lone_safetensors_file_is_refused()
    {
        using var temp = new TempFolder();
        var writer = new SafetensorsWriter();
        writer.Add<float>("x", [1], [1f]);
        writer.Write(temp.File("weights.safetensors"));
        var error = Assert.Throws<ModelFormatException>(() => CheckpointLoader.Open(temp.File("weights.safetensors")));
        Assert.Contains("not a checkpoint by itself", error.Problem);
    }

    [Fact]
    public void A_nonexistent_path_is_named()
    {
        var path = Path.Combine(Path.GetTempPath(), "qqq-no-such-model-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<ModelFormatException>(() => CheckpointLoader.Open(path));
        Assert.Equal(path, error.FilePath);
        Assert.Equal("no such file or folder", error.Problem);
    }

    [Fact]
    public void A_folder_without_config_is_named()
    {
        using var temp = new TempFolder();
        var error = Assert.Throws<ModelFormatException>(() => CheckpointLoader.Open(temp.Path));
        Assert.Contains("no config.json", error.Problem);
    }
}
