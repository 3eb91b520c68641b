using System.Security.Cryptography;

namespace QQQ.Quantization.Artifacts;

/// <summary>SHA-256 over file contents, for manifests and incremental builds (names, not paths, are hashed).</summary>
public static class ContentHash
{
    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string OfText(string text) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// A model: the file itself (llama2.c), or for a folder the model files in it (config.json, safetensors and
    /// their index), each as "name:hash" in ordinal order.
    /// </summary>
    public static string OfModel(string path)
    {
        if (File.Exists(path)) return OfFile(path);
        var files = Directory.EnumerateFiles(path)
            .Where(f => Path.GetFileName(f) is "config.json" || f.EndsWith(".safetensors", StringComparison.Ordinal)
                || f.EndsWith(".safetensors.index.json", StringComparison.Ordinal))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal);
        return OfText(string.Join("\n", files.Select(f => Path.GetFileName(f) + ":" + OfFile(f))));
    }
}
