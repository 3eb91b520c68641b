using System.Globalization;
using QQQ.Formats;
using QQQ.Formats.Artifacts;

namespace QQQ.Cli.Commands;

/// <summary>
/// The <c>--shape</c> of <c>qqq synth</c>: a named shape (<see cref="SyntheticArtifact.Shapes"/>) or dimensions written
/// <c>hidden=256,intermediate=688,layers=2,heads=4,kv-heads=2,vocab=512,context=512</c> (any order; kv-heads may be left
/// out and is then heads, as in Hugging Face configs). Text that is not such a list is a usage error (exit 2); a list
/// that describes no working LLaMA (hidden not divisible by heads, ...) is bad input (exit 1).
/// </summary>
public static class SynthShape
{
    static readonly string[] Keys = ["hidden", "intermediate", "layers", "heads", "kv-heads", "vocab", "context"];

    public static ModelConfig Parse(string text)
    {
        if (SyntheticArtifact.Shapes.TryGetValue(text, out var named)) return named;
        if (!text.Contains('='))
            throw new UsageException($"--shape must be one of {string.Join(", ", SyntheticArtifact.Shapes.Keys)} " +
                $"or dimensions such as hidden=256,intermediate=688,layers=2,heads=4,kv-heads=2,vocab=512,context=512; got '{text}'");
        var values = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var part in text.Split(','))
        {
            var pair = part.Split('=');
            if (pair.Length != 2) throw new UsageException($"--shape: '{part}' is not key=value");
            string key = pair[0].Trim();
            if (!Keys.Contains(key)) throw new UsageException($"--shape: unknown dimension '{key}' (known: {string.Join(", ", Keys)})");
            if (!int.TryParse(pair[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value <= 0)
                throw new UsageException($"--shape: {key} must be a positive integer, got '{pair[1]}'");
            if (!values.TryAdd(key, value)) throw new UsageException($"--shape: {key} is given twice");
        }
        var missing = Keys.Where(k => k != "kv-heads" && !values.ContainsKey(k)).ToList();
        if (missing.Count > 0) throw new UsageException($"--shape: missing {string.Join(", ", missing)}");
        var config = SyntheticArtifact.Config(values["hidden"], values["intermediate"], values["layers"], values["heads"],
            values.GetValueOrDefault("kv-heads", values["heads"]), values["vocab"], values["context"]);
        config.Validate($"--shape {text}");
        return config;
    }
}
