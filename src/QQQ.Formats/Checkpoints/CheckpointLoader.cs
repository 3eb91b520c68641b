namespace QQQ.Formats;

/// <summary>Opens a checkpoint of whichever supported kind a path holds.</summary>
public static class CheckpointLoader
{
    /// <summary>
    /// A folder with config.json: Hugging Face. A file that belongs to such a folder (config.json,
    /// model.safetensors, its index, or a model-*.safetensors shard): that folder. Any other file:
    /// llama2.c v0. Problems, including a path that does not exist, throw <see cref="ModelFormatException"/>.
    /// </summary>
    public static ICheckpoint Open(string path)
    {
        if (Directory.Exists(path)) return HuggingFaceCheckpoint.Open(path);
        if (!File.Exists(path)) throw new ModelFormatException(path, "no such file or folder");

        var name = Path.GetFileName(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        bool isSafetensors = name.EndsWith(".safetensors", StringComparison.Ordinal);
        bool partOfHfFolder = name is HuggingFaceCheckpoint.ConfigFileName or HuggingFaceWeightFiles.SingleFileName or HuggingFaceWeightFiles.IndexFileName
            || (isSafetensors && name.StartsWith("model-", StringComparison.Ordinal));
        if (partOfHfFolder && File.Exists(Path.Combine(folder, HuggingFaceCheckpoint.ConfigFileName)))
            return HuggingFaceCheckpoint.Open(folder);
        if (isSafetensors || name.EndsWith(".json", StringComparison.Ordinal))
            throw new ModelFormatException(path, $"not a checkpoint by itself: open the Hugging Face folder with its {HuggingFaceCheckpoint.ConfigFileName}");
        return Llama2CCheckpoint.Open(path);
    }
}
