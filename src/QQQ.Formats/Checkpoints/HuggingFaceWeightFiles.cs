using System.Text.Json;

namespace QQQ.Formats;

/// <summary>
/// The safetensors files of a Hugging Face folder: <c>model.safetensors</c>, or the shards listed by
/// <c>model.safetensors.index.json</c> (<c>{"weight_map": {"tensor name": "model-00001-of-00002.safetensors"}}</c>).
/// Maps each tensor name to the open file that holds it.
/// </summary>
internal sealed class HuggingFaceWeightFiles : IDisposable
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";
    const long MaxIndexBytes = 64 << 20;

    readonly List<SafetensorsFile> files;

    HuggingFaceWeightFiles(string describedBy, List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> byTensor)
    {
        DescribedBy = describedBy;
        this.files = files;
        ByTensor = byTensor;
    }

    /// <summary>The file that says which tensors exist: model.safetensors or the index; named in errors about the set of tensors.</summary>
    public string DescribedBy { get; }

    public IReadOnlyDictionary<string, SafetensorsFile> ByTensor { get; }

    public static HuggingFaceWeightFiles Open(string folder)
    {
        var single = Path.Combine(folder, SingleFileName);
        var index = Path.Combine(folder, IndexFileName);
        if (File.Exists(single))
        {
            var file = SafetensorsFile.Open(single);
            return new HuggingFaceWeightFiles(single, [file], file.Tensors.ToDictionary(t => t.Name, _ => file, StringComparer.Ordinal));
        }
        if (File.Exists(index)) return OpenSharded(folder, index);
        throw new ModelFormatException(folder, $"neither {SingleFileName} nor {IndexFileName} is in this folder");
    }

    static HuggingFaceWeightFiles OpenSharded(string folder, string indexPath)
    {
        var root = JsonFile.ReadObject(indexPath, MaxIndexBytes);
        if (!root.TryGetProperty("weight_map", out var weightMap) || weightMap.ValueKind != JsonValueKind.Object)
            throw new ModelFormatException(indexPath, "'weight_map' is missing or not an object");
        var files = new List<SafetensorsFile>();
        try
        {
            var shards = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            var byTensor = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var entry in weightMap.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                    throw new ModelFormatException(indexPath, $"weight_map entry {MessageText.Quote(entry.Name)} is not a file name");
                var shardName = entry.Value.GetString()!;
                // Shards must sit in the folder itself: a path here could point anywhere on the machine.
                if (shardName.Length == 0 || shardName is "." or ".." || Path.GetFileName(shardName) != shardName
                    || shardName.Contains('\\') || shardName.Contains('\0'))
                    throw new ModelFormatException(indexPath, $"weight_map names {MessageText.Quote(shardName)}, which is not a plain file name");
                if (!shards.TryGetValue(shardName, out var shard))
                {
                    shard = SafetensorsFile.Open(Path.Combine(folder, shardName));
                    files.Add(shard);
                    shards.Add(shardName, shard);
                }
                if (!shard.Contains(entry.Name))
                    throw new ModelFormatException(indexPath, $"weight_map puts {MessageText.Quote(entry.Name)} in {MessageText.Quote(shardName)}, which has no such tensor");
                if (!byTensor.TryAdd(entry.Name, shard))
                    throw new ModelFormatException(indexPath, $"weight_map lists {MessageText.Quote(entry.Name)} twice");
            }
            return new HuggingFaceWeightFiles(indexPath, files, byTensor);
        }
        catch
        {
            files.ForEach(f => f.Dispose());
            throw;
        }
    }

    public void Dispose() => files.ForEach(f => f.Dispose());
}
