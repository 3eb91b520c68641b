using QQQ.Cli.Evaluation;
using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Formats.Tokenizers;
using QQQ.Quantization.Reference;
using QQQ.Quantization.Simulation;
using QQQ.Runtime;
using QQQ.Runtime.Devices;

namespace QQQ.Cli.Commands;

/// <summary>
/// Opens what --model, --tokenizer and --engine name: the engine that runs the model and its tokenizer.
/// A <c>.qqq</c> file is a QQQ artifact (its tokenizer is inside it); anything else is a full-precision checkpoint.
/// </summary>
public static class ModelInputs
{
    public const string ArtifactExtension = ".qqq";

    public static DeviceKind ReadDevice(Arguments arguments) => (arguments.Optional("device") ?? "auto") switch
    {
        "auto" => DeviceKind.Auto,
        "cpu" => DeviceKind.Cpu,
        "cuda" => DeviceKind.Cuda,
        var other => throw new UsageException($"--device must be auto, cpu or cuda, got '{other}'"),
    };

    sealed record RuntimeOpener(string Path, DeviceKind Device) : IRuntimeGranularityUser<ILanguageModelEngine>
    {
        public ILanguageModelEngine Use<TGranularity>() where TGranularity : struct, IWeightGranularity => new RuntimeEngine<TGranularity>(Path, Device);
    }

    public static bool IsArtifact(string path) => path.EndsWith(ArtifactExtension, StringComparison.OrdinalIgnoreCase);

    public static (ILanguageModelEngine Engine, ITextTokenizer Tokenizer) Open(Arguments arguments)
    {
        string modelPath = arguments.Required("model");
        string? tokenizerPath = arguments.Optional("tokenizer");
        string? engine = arguments.Optional("engine");
        if (IsArtifact(modelPath))
        {
            using var artifact = ArtifactFile.Open(modelPath);
            var tokenizer = tokenizerPath is null
                ? TokenizerLoader.Open(artifact.ReadTokenizerBytes(), $"{modelPath} (embedded {artifact.Manifest.Tokenizer.FileName})", artifact.Config.VocabSize)
                : TokenizerLoader.Open(tokenizerPath, artifact.Config.VocabSize);
            var device = ReadDevice(arguments);
            return (engine ?? "runtime") switch
            {
                "runtime" => (RuntimeGranularity.Dispatch(modelPath, artifact.Manifest.Quantization.GroupSize, new RuntimeOpener(modelPath, device)), tokenizer),
                "simulate" => (new TorchEngine(() => SimulatedModel.Load(artifact)), tokenizer),
                "reference" => throw new UsageException("--engine reference runs full-precision checkpoints; an artifact runs with --engine runtime or simulate"),
                var other => throw new UsageException($"--engine must be runtime or simulate for an artifact, got '{other}'"),
            };
        }
        if (arguments.Optional("device") is not null) throw new UsageException("--device applies to QQQ artifacts (the runtime engine)");
        if (engine is not (null or "reference"))
            throw new UsageException($"--engine {engine} needs a QQQ artifact (.qqq); a checkpoint runs with --engine reference");
        using var checkpoint = CheckpointLoader.Open(modelPath);
        tokenizerPath ??= TokenizerLoader.FindBeside(modelPath)
            ?? throw new UsageException($"no tokenizer found beside {modelPath}: pass --tokenizer <path>");
        return (new TorchEngine(() => LlamaReferenceModel.Load(checkpoint)), TokenizerLoader.Open(tokenizerPath, checkpoint.Config.VocabSize));
    }
}
