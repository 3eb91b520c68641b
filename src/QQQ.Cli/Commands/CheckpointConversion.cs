using System.Diagnostics;
using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Formats.Interchange;
using QQQ.Formats.Tokenizers;
using QQQ.Quantization.Artifacts;

namespace QQQ.Cli.Commands;

/// <summary>
/// <c>qqq quantize --model &lt;QQQ checkpoint folder&gt;</c>: the model is quantized already, so it is converted to an
/// artifact as it is (no calibration, no re-quantization).
/// </summary>
public static class CheckpointConversion
{
    static readonly string[] QuantizationOptions = ["calibration", "granularity", "group-size", "samples", "seq-len", "smooth", "weights", "seed"];

    public static int Run(Arguments arguments, string modelPath, string output, bool json, CancellationToken cancellation)
    {
        foreach (var option in QuantizationOptions)
            if (arguments.Values(option).Count > 0)
                throw new UsageException($"{modelPath} is a QQQ checkpoint (already quantized): it is converted as it is, so --{option} does not apply");
        string? tokenizerPath = arguments.Optional("tokenizer");
        string name = arguments.Optional("name") ?? QuantizeCommand.ArtifactName(output);
        arguments.RejectUnknown();

        var clock = Stopwatch.StartNew();
        using var checkpoint = QqqHfCheckpoint.Open(modelPath);
        var config = checkpoint.Config;
        tokenizerPath ??= TokenizerLoader.FindBeside(modelPath)
            ?? throw new UsageException($"no tokenizer found beside {modelPath}: pass --tokenizer <path>");
        // Opened only to refuse, now, a tokenizer that does not fit the model; the artifact embeds the file's bytes.
        TokenizerLoader.Open(tokenizerPath, config.VocabSize);
        QuantizeCommand.RequireWritable(output);

        // What the checkpoint cannot say itself (smoothing, weight method, calibration) comes from the manifest an export left in it.
        var origin = checkpoint.ExportedFrom();
        var manifest = new ArtifactManifest
        {
            ToolVersion = QuantizeCommand.ToolVersion,
            Name = name,
            Architecture = ArchitectureSection.From(config),
            Quantization = new QuantizationSection
            {
                Granularity = checkpoint.Granularity is QQQ.Formats.W4A8.PerGroupGranularity ? QuantizationSection.PerGroup : QuantizationSection.PerChannel,
                GroupSize = checkpoint.Granularity.ConfigGroupSize,
                Smoothing = origin?.Quantization.Smoothing ?? "unknown",
                Weights = origin?.Quantization.Weights ?? "unknown",
                Layout = LinearLayouts.Choose(config, checkpoint.Granularity),
            },
            Tokenizer = QuantizeCommand.DescribeTokenizer(tokenizerPath),
            Calibration = origin?.Calibration,
            SourceSha256 = ContentHash.OfModel(modelPath),
            SettingsSha256 = ContentHash.OfText("convert qqq-hf checkpoint"),
        };
        Console.Error.WriteLine($"converting QQQ checkpoint {modelPath} ({config.NumLayers} layers, {checkpoint.Granularity}) without re-quantizing");
        QqqCheckpointImport.Write(checkpoint, output, manifest, File.ReadAllBytes(tokenizerPath), cancellation);
        double seconds = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"wrote {output} ({new FileInfo(output).Length >> 10} KiB) in {seconds:F1} s");
        if (json) Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { artifact = output, seconds, converted_from = modelPath }));
        return 0;
    }
}
