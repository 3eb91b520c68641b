using QQQ.Cli.Evaluation;
using QQQ.Formats;
using QQQ.Formats.Tokenizers;

namespace QQQ.Cli.Commands;

/// <summary>Opens what --model and --tokenizer name: the engine that runs the model and its tokenizer.</summary>
public static class ModelInputs
{
    public static (ILanguageModelEngine Engine, ITextTokenizer Tokenizer) Open(Arguments arguments)
    {
        string modelPath = arguments.Required("model");
        string? tokenizerPath = arguments.Optional("tokenizer");
        using var checkpoint = CheckpointLoader.Open(modelPath);
        tokenizerPath ??= TokenizerLoader.FindBeside(modelPath)
            ?? throw new UsageException($"no tokenizer found beside {modelPath}: pass --tokenizer <path>");
        var tokenizer = TokenizerLoader.Open(tokenizerPath, checkpoint.Config.VocabSize);
        return (new ReferenceEngine(checkpoint), tokenizer);
    }
}
