using QQQ.Cli.Evaluation;
using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Formats.Tokenizers;

namespace QQQ.Cli.Commands;

/// <summary>
/// Opens what --model, --tokenizer and --engine name: the engine that runs the model and its tokenizer.
/// A <c>.qqq</c> file is a QQQ artifact (its tokenizer is inside it); anything else is a full-precision checkpoint.
/// </summary>
public static class ModelInputs
{
    public const string ArtifactExtension = ".qqq";

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
            return (engine ?? "simulate") switch
            {
                "simulate" => (new SimulateEngine(artifact), tokenizer),
                "reference" => throw new UsageException("--engine reference runs full-precision checkpoints; an artifact runs with --engine simulate"),
                var other => throw new UsageException($"--engine must be simulate for an artifact, got '{other}'"),
            };
        }
        if (engine is not (null or "reference"))
            throw new UsageException($"--engine {engine} needs a QQQ artifact (.qqq); a checkpoint runs with --engine reference");
        using var checkpoint = CheckpointLoader.Open(modelPath);
        tokenizerPath ??= TokenizerLoader.FindBeside(modelPath)
            ?? throw new UsageException($"no tokenizer found beside {modelPath}: pass --tokenizer <path>");
        return (new ReferenceEngine(checkpoint), TokenizerLoader.Open(tokenizerPath, checkpoint.Config.VocabSize));
    }
}
