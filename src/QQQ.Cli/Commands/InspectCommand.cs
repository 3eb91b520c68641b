using System.Globalization;
using QQQ.Formats;
using QQQ.Formats.Artifacts;

namespace QQQ.Cli.Commands;

/// <summary><c>qqq inspect &lt;artifact&gt; [--json]</c>: what an artifact holds, in words, or its manifest as JSON.</summary>
public static class InspectCommand
{
    public static int Run(IReadOnlyList<string> args)
    {
        var arguments = Arguments.Parse(args, new HashSet<string> { "json" });
        bool json = arguments.Flag("json");
        arguments.RejectUnknown();
        if (arguments.Positionals.Count != 1) throw new UsageException("qqq inspect takes one artifact path");
        string path = arguments.Positionals[0];
        if (Directory.Exists(path)) throw new ModelFormatException(path, "is a folder, not a QQQ artifact (.qqq file)");

        using var artifact = ArtifactFile.Open(path);
        if (json)
        {
            Console.WriteLine(artifact.Manifest.ToJson());
            return 0;
        }
        using var file = SafetensorsFile.Open(path);
        foreach (var line in Describe(artifact.Manifest, file, new FileInfo(path).Length)) Console.WriteLine(line);
        return 0;
    }

    static IEnumerable<string> Describe(ArtifactManifest manifest, SafetensorsFile file, long fileBytes)
    {
        var inv = CultureInfo.InvariantCulture;
        var a = manifest.Architecture;
        var q = manifest.Quantization;
        var config = a.ToConfig();
        yield return Line("artifact", $"{manifest.Name} ({manifest.FormatName} format {manifest.FormatVersion}, written by qqq {manifest.ToolVersion})");
        yield return Line("model", string.Create(inv,
            $"{a.ModelType}, {a.NumLayers} layers, hidden {a.HiddenSize}, intermediate {a.IntermediateSize}, " +
            $"{a.NumHeads} heads / {a.NumKeyValueHeads} kv heads (head dim {config.HeadDim}), vocab {a.VocabSize}, context {a.MaxSequenceLength}"));
        yield return Line("", string.Create(inv,
            $"rms_norm_eps {a.RmsNormEps:G}, rope_theta {a.RopeTheta:G}, {(a.TiedEmbeddings ? "tied" : "untied")} embeddings" +
            $"{(a.AttentionBias ? ", q/k/v biases" : "")}, bos {a.BosTokenId}, eos {a.EosTokenId}"));
        yield return Line("quantization", $"W{q.WeightBits}A{q.ActivationBits} {q.Method}, " +
            (q.IsPerGroup ? $"per-group (group size {q.GroupSize})" : "per-channel") + $", layout {q.Layout}");
        yield return Line("smoothing", q.Smoothing);
        yield return Line("weights", q.Weights);
        yield return Line("calibration", manifest.Calibration is { } c
            ? $"{c.Samples} windows x {c.SequenceLength} tokens, seed {c.Seed}, from " +
              string.Join(", ", c.Files.Select(f => $"{f.Name} (sha256 {f.Sha256})"))
            : q.Weights == SyntheticArtifact.RandomWeights ? "none (synthetic: random weights, qqq synth)" : "none (converted from a quantized checkpoint)");
        yield return Line("tokenizer", $"{manifest.Tokenizer.Kind}, {manifest.Tokenizer.FileName} (sha256 {manifest.Tokenizer.Sha256})");
        yield return Line("source sha256", manifest.SourceSha256);
        yield return Line("settings sha256", manifest.SettingsSha256);

        long linearParameters = ArtifactTensors.Linears(config).Sum(l => (long)l.Out * l.In) * a.NumLayers;
        long otherParameters = (long)a.VocabSize * a.HiddenSize * (a.TiedEmbeddings ? 1 : 2)
            + (2L * a.NumLayers + 1) * a.HiddenSize
            + (a.AttentionBias ? ArtifactTensors.Linears(config).Take(3).Sum(l => (long)l.Out) * a.NumLayers : 0);
        long parameters = linearParameters + otherParameters;
        long tensorBytes = file.Tensors.Sum(t => t.ByteLength);
        long linearBytes = file.Tensors.Where(t => IsLinearPart(t.Name)).Sum(t => t.ByteLength);
        long tokenizerBytes = file.GetInfo(ArtifactTensors.Tokenizer).ByteLength;
        yield return Line("tensors", string.Create(inv,
            $"{file.Tensors.Count} ({Size(tensorBytes)}): quantized linears {Size(linearBytes)}, tokenizer {Size(tokenizerBytes)}, " +
            $"other {Size(tensorBytes - linearBytes - tokenizerBytes)}"));
        yield return Line("parameters", string.Create(inv,
            $"{parameters:N0} ({linearParameters:N0} in {7 * a.NumLayers} quantized linears, {otherParameters:N0} unquantized)"));
        yield return Line("file size", string.Create(inv,
            $"{Size(fileBytes)}, {(double)fileBytes / parameters:F3} bytes per parameter " +
            $"({8.0 * linearBytes / linearParameters:F2} bits per quantized weight)"));
    }

    static bool IsLinearPart(string name) =>
        name.EndsWith(".B", StringComparison.Ordinal) || name.EndsWith(".codes", StringComparison.Ordinal)
        || name.EndsWith(".s_channel", StringComparison.Ordinal) || name.EndsWith(".s_group", StringComparison.Ordinal);

    static string Line(string label, string text) => $"{label,-16}{text}";

    static string Size(long bytes) =>
        bytes >= 1 << 20 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F2} MiB")
        : bytes >= 1 << 10 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB")
        : $"{bytes} B";
}
