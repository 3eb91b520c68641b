using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Formats.Interchange;

namespace QQQ.Cli.Commands;

/// <summary><c>qqq export &lt;artifact&gt; --format qqq-hf --out &lt;folder&gt;</c>: a Hugging Face QQQ checkpoint for vLLM and the original QQQ code.</summary>
public static class ExportCommand
{
    public static int Run(IReadOnlyList<string> args)
    {
        var arguments = Arguments.Parse(args, new HashSet<string>());
        string format = arguments.Required("format");
        string output = arguments.Required("out");
        arguments.RejectUnknown();
        if (arguments.Positionals.Count != 1) throw new UsageException("qqq export takes one artifact path");
        if (format != "qqq-hf") throw new UsageException($"--format must be qqq-hf, got '{format}'");
        string path = arguments.Positionals[0];
        if (Directory.Exists(path)) throw new ModelFormatException(path, "is a folder, not a QQQ artifact (.qqq file)");
        if (File.Exists(output)) throw new ModelFormatException(output, "exists and is a file; --out names a folder");

        using var artifact = ArtifactFile.Open(path);
        QqqHfExport.Write(artifact, output);
        Console.Error.WriteLine($"wrote {output}: config.json, {QqqHfFormat.ModelFileName}, {Path.GetFileName(artifact.Manifest.Tokenizer.FileName)} " +
            $"(QQQ checkpoint, {artifact.Granularity}, group_size {artifact.Granularity.ConfigGroupSize})");
        return 0;
    }
}
