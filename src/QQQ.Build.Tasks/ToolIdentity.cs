using System.Security.Cryptography;

namespace QQQ.Build.Tasks;

/// <summary>
/// Identifies the quantizer by the contents of its own assemblies (qqq.dll and QQQ.*.dll beside it).
/// Contents, not timestamps: in this repository the CLI is rebuilt often, and a deterministic rebuild of the
/// same code must not re-quantize every model; any change to the code must. A packaged quantizer never
/// changes in place (a new package version has a new path), so there it is just as exact.
/// </summary>
internal static class ToolIdentity
{
    /// <returns>Hex SHA-256 over the names and contents of the assemblies, or "missing" when there is no tool.</returns>
    public static string Hash(string toolPath)
    {
        if (string.IsNullOrEmpty(toolPath) || !File.Exists(toolPath)) return "missing";
        var folder = Path.GetDirectoryName(Path.GetFullPath(toolPath))!;
        var files = Directory.GetFiles(folder, "*.dll")
            .Where(file => Path.GetFileName(file).StartsWith("qqq.", StringComparison.OrdinalIgnoreCase))
            .OrderBy(file => Path.GetFileName(file), StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }
}
