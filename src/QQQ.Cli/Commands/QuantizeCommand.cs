using System.Diagnostics;
using System.Text.Json;
using QQQ.Cli.Evaluation;
using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Formats.Interchange;
using QQQ.Formats.Tokenizers;
using QQQ.Formats.W4A8;
using QQQ.Quantization.Artifacts;
using QQQ.Quantization.Calibration;
using QQQ.Quantization.Pipeline;

namespace QQQ.Cli.Commands;

/// <summary><c>qqq quantize</c>: QQQ (adaptive smoothing + GPTQ) of a checkpoint into an artifact.</summary>
public static class QuantizeCommand
{
    public static int Run(IReadOnlyList<string> args, CancellationToken cancellation)
    {
        var arguments = Arguments.Parse(args, new HashSet<string> { "json" });
        bool json = arguments.Flag("json");
        string modelPath = arguments.Required("model");
        string output = arguments.Required("out");
        if (QqqHfCheckpoint.IsQqqCheckpoint(modelPath)) return CheckpointConversion.Run(arguments, modelPath, output, json, cancellation);
        var settings = ReadSettings(arguments);
        var calibrationFiles = arguments.Values("calibration");
        if (calibrationFiles.Count == 0) throw new UsageException("--calibration <file> is required (one or more text files)");
        string? tokenizerPath = arguments.Optional("tokenizer");
        string name = arguments.Optional("name") ?? ArtifactName(output);
        arguments.RejectUnknown();

        var clock = Stopwatch.StartNew();
        using var checkpoint = CheckpointLoader.Open(modelPath);
        var config = checkpoint.Config;
        var granularity = Granularity.FromConfigGroupSize(settings.PerGroup ? settings.GroupSize : -1);
        GranularityOptions.RequireDivisible(modelPath, config, granularity);
        tokenizerPath ??= TokenizerLoader.FindBeside(modelPath)
            ?? throw new UsageException($"no tokenizer found beside {modelPath}: pass --tokenizer <path>");
        var tokenizer = TokenizerLoader.Open(tokenizerPath, config.VocabSize);
        RequireWritable(output);

        var streams = calibrationFiles.Select(f => tokenizer.Encode(EvaluationText.Read(f), addBos: true)).ToArray();
        int[][] windows;
        try
        {
            windows = CalibrationSet.Sample(streams, settings.Samples, settings.SequenceLength, settings.Seed);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(string.Join(", ", calibrationFiles), e.Message);
        }
        if (settings.SequenceLength > config.MaxSequenceLength)
            throw new UsageException($"--seq-len {settings.SequenceLength} is longer than the model's context ({config.MaxSequenceLength})");

        Console.Error.WriteLine($"quantizing {modelPath}: {config.NumLayers} layers, {Describe(settings)}, " +
            $"{settings.Samples} calibration windows of {settings.SequenceLength} tokens");
        var model = new LayerwiseQuantizer(settings, line => Console.Error.WriteLine(line)).Quantize(checkpoint, windows, cancellation);

        var manifest = new ArtifactManifest
        {
            ToolVersion = ToolVersion,
            Name = name,
            Architecture = ArchitectureSection.From(config),
            Quantization = new QuantizationSection
            {
                Granularity = settings.PerGroup ? QuantizationSection.PerGroup : QuantizationSection.PerChannel,
                GroupSize = settings.PerGroup ? settings.GroupSize : -1,
                Smoothing = settings.Smoothing == SmoothingMode.Adaptive ? "adaptive" : "none",
                Weights = settings.Weights == WeightMethod.Gptq ? "gptq" : "rtn",
                Layout = LinearLayouts.Choose(config, granularity),
            },
            Tokenizer = DescribeTokenizer(tokenizerPath),
            Calibration = new CalibrationSection
            {
                Files = calibrationFiles.Select(f => new CalibrationFile(Path.GetFileName(f), ContentHash.OfFile(f))).ToArray(),
                Samples = settings.Samples,
                SequenceLength = settings.SequenceLength,
                Seed = settings.Seed,
            },
            SourceSha256 = ContentHash.OfModel(modelPath),
            SettingsSha256 = ContentHash.OfText(JsonSerializer.Serialize(settings)),
        };
        cancellation.ThrowIfCancellationRequested();
        ArtifactWriter.Write(output, model, manifest, File.ReadAllBytes(tokenizerPath));
        double seconds = clock.Elapsed.TotalSeconds;
        using var process = Process.GetCurrentProcess();
        long peakMegabytes = process.PeakWorkingSet64 >> 20;
        // CPU time next to wall-clock time: on a shared machine only the former says what the work costs.
        double cpuSeconds = process.TotalProcessorTime.TotalSeconds;
        Console.Error.WriteLine($"wrote {output} ({new FileInfo(output).Length >> 10} KiB) in {seconds:F1} s (CPU {cpuSeconds:F1} s), peak memory {peakMegabytes} MiB");
        if (json) Console.WriteLine(JsonSerializer.Serialize(Summary(output, model, seconds, cpuSeconds, peakMegabytes)));
        return 0;
    }

    static QuantizationSettings ReadSettings(Arguments arguments)
    {
        var granularity = GranularityOptions.Read(arguments);
        return new QuantizationSettings
        {
            GroupSize = granularity is PerGroupGranularity perGroup ? perGroup.GroupSize : 0,
            Smoothing = (arguments.Optional("smooth") ?? "adaptive") switch
            {
                "adaptive" => SmoothingMode.Adaptive,
                "none" => SmoothingMode.None,
                var other => throw new UsageException($"--smooth must be adaptive or none, got '{other}'"),
            },
            Weights = (arguments.Optional("weights") ?? "gptq") switch
            {
                "gptq" => WeightMethod.Gptq,
                "rtn" => WeightMethod.Rtn,
                var other => throw new UsageException($"--weights must be gptq or rtn, got '{other}'"),
            },
            Samples = arguments.Int("samples", 128, min: 1, max: 100_000),
            SequenceLength = arguments.Int("seq-len", 512, min: 2, max: 1 << 20),
            Seed = arguments.Int("seed", 0),
        };
    }

    public static TokenizerSection DescribeTokenizer(string tokenizerPath) => new()
    {
        Kind = tokenizerPath.EndsWith(".model", StringComparison.OrdinalIgnoreCase) ? "sentencepiece" : "llama2c",
        FileName = Path.GetFileName(tokenizerPath),
        Sha256 = ContentHash.OfFile(tokenizerPath),
    };

    public static void RequireWritable(string output)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(output))!;
        if (!Directory.Exists(folder)) throw new ModelFormatException(output, $"output folder {folder} does not exist");
        if (Directory.Exists(output)) throw new ModelFormatException(output, "output path is a folder");
        try
        {
            var probe = Path.Combine(folder, $".qqq-write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException(output, $"output folder is not writable ({e.Message})");
        }
    }

    public static string ArtifactName(string output)
    {
        var file = Path.GetFileName(output);
        return file.EndsWith(".qqq", StringComparison.OrdinalIgnoreCase) ? file[..^4] : Path.GetFileNameWithoutExtension(file);
    }

    static string Describe(QuantizationSettings s) =>
        (s.PerGroup ? $"per-group {s.GroupSize}" : "per-channel") + $", smoothing {s.Smoothing.ToString().ToLowerInvariant()}, weights {s.Weights.ToString().ToLowerInvariant()}";

    public static string ToolVersion => typeof(QuantizeCommand).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    static object Summary(string output, QuantizedModel model, double seconds, double cpuSeconds, long peakMegabytes) => new
    {
        artifact = output,
        seconds,
        cpu_seconds = cpuSeconds,
        peak_memory_mib = peakMegabytes,
        layers = model.Layers.Select((layer, index) => new
        {
            index,
            seconds = layer.Seconds,
            smoothing = layer.Smoothing.Select(s => new
            {
                point = s.Point,
                threshold = s.Threshold,
                loss = s.Loss,
                unsmoothed_loss = s.UnsmoothedLoss,
                candidates = s.Candidates,
                evaluated = s.Evaluated,
                outlier_channels = s.OutlierChannels,
            }),
            gptq_error = layer.Linears.ToDictionary(l => l.Name, l => l.Error),
        }),
    };
}
