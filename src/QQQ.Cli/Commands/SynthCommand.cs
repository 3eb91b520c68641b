using System.Diagnostics;
using QQQ.Formats.Artifacts;
using QQQ.Formats.Tokenizers;

namespace QQQ.Cli.Commands;

/// <summary>
/// <c>qqq synth</c>: an artifact with random weights and a real model's shapes (<see cref="SyntheticArtifact"/>), so that
/// <c>qqq bench</c> can measure speed at LLaMA sizes without a checkpoint or a quantization run.
/// </summary>
public static class SynthCommand
{
    public static int Run(IReadOnlyList<string> args, CancellationToken cancellation)
    {
        var arguments = Arguments.Parse(args, new HashSet<string>());
        string shape = arguments.Required("shape");
        string output = arguments.Required("out");
        // The runtime opens the tokenizer inside every artifact, and no tokenizer fits every shape: the caller names one.
        string tokenizerPath = arguments.Optional("tokenizer")
            ?? throw new UsageException("--tokenizer <file> is required: the artifact embeds it (a tokenizer.model of at most the shape's vocabulary, or a llama2.c tokenizer of exactly it)");
        var granularity = GranularityOptions.Read(arguments);
        int seed = arguments.Int("seed", 1);
        arguments.RejectUnknown();

        var config = SynthShape.Parse(shape);
        GranularityOptions.RequireDivisible($"--shape {shape}", config, granularity);
        TokenizerLoader.Open(tokenizerPath, config.VocabSize);   // fails here, not at load time, when it does not fit
        QuantizeCommand.RequireWritable(output);

        var clock = Stopwatch.StartNew();
        var progress = new Progress("synth layers", config.NumLayers);
        SyntheticArtifact.Write(output, config, granularity, File.ReadAllBytes(tokenizerPath), Path.GetFileName(tokenizerPath), seed,
            layers => progress.Report(layers, layers == config.NumLayers ? $"writing {output}" : null), cancellation);
        Console.Error.WriteLine($"wrote {output} ({new FileInfo(output).Length / 1048576.0:F1} MiB, {granularity}) in {clock.Elapsed.TotalSeconds:F1} s");
        return 0;
    }
}
