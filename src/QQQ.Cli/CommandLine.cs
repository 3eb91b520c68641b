using System.Runtime.InteropServices;
using QQQ.Cli.Commands;
using QQQ.Formats;

namespace QQQ.Cli;

/// <summary>
/// Entry point of <c>qqq</c>: dispatches the verb, turns expected failures into one line on stderr and a
/// non-zero exit code (1: bad input or failure, 2: bad command line). <c>--verbose</c> adds stack traces.
/// </summary>
public static class CommandLine
{
    const string Usage = """
        usage: qqq <verb> [options]
          eval      --model <path> [--tokenizer <path>] --text <file> [--window 512] [--max-windows N]
                    [--engine reference|simulate|runtime] [--device auto|cpu|cuda] [--json]
          generate  --model <path> [--tokenizer <path>] [--prompt <text>] [--max-tokens 256]
                    [--greedy | --temperature T --top-p P --top-k K --seed S]
                    [--engine reference|simulate|runtime] [--device auto|cpu|cuda]
                    (default: sampled with temperature 0.8, top-p 0.95, top-k off, seed 0)
          quantize  --model <path> [--tokenizer <path>] --out <file.qqq> --calibration <file>...
                    [--granularity per-channel|per-group] [--group-size 128] [--samples 128] [--seq-len 512]
                    [--smooth adaptive|none] [--weights gptq|rtn] [--seed 0] [--name <name>] [--json]
                    (--model may also be a Hugging Face QQQ checkpoint: converted without re-quantizing)
          synth     --shape llama2-7b|llama2-13b|llama3-8b|<dims> --tokenizer <file> --out <file.qqq>
                    [--granularity per-channel|per-group] [--group-size 128] [--seed 1]
                    (an artifact with random weights; <dims>: hidden=H,intermediate=I,layers=L,heads=A,vocab=V,
                    context=C[,kv-heads=K], kv-heads defaulting to heads; the tokenizer is embedded)
          bench     --model <file.qqq> [--device auto|cpu|cuda] [--prefill 512] [--decode 64] [--json]
                    (after a warm-up: prefill = one forward pass over the prompt up to the first token,
                    decode = that many single-token steps over the KV cache after it, greedy)
          inspect   <artifact.qqq> [--json]
          export    <artifact.qqq> --format qqq-hf --out <folder>   (QQQ checkpoint for vLLM / the original QQQ)
          dev inject-outliers --model <hf folder> --out <folder> [--seed 0] [--channels 4]
                    [--min-factor 30] [--max-factor 100]   (benchmark model with LLaMA-like activation outliers)
        A model is a Hugging Face LLaMA folder, a llama2.c .bin file or a QQQ artifact (.qqq). Engines: reference
        (FP32, checkpoints only, their default), simulate (exact W4A8 arithmetic on TorchSharp) and runtime (ILGPU, the
        default for artifacts); --device applies to the runtime (auto: QQQ_DEVICE, else CUDA when present, else the CPU).
        Add --verbose for stack traces.
        """;

    public static int Run(string[] args)
    {
        bool verbose = args.Contains("--verbose");
        var rest = args.Where(a => a != "--verbose").ToList();
        if (rest.Count == 0 || rest[0] is "-h" or "--help" or "help")
        {
            (rest.Count == 0 ? Console.Error : Console.Out).WriteLine(Usage);
            return rest.Count == 0 ? 2 : 0;
        }
        // Ctrl+C and SIGTERM cancel long work cooperatively; outputs are written atomically, so a
        // cancelled run leaves nothing behind.
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });
        try
        {
            var verbArgs = rest.Skip(1).ToList();
            return rest[0] switch
            {
                "eval" => EvalCommand.Run(verbArgs),
                "generate" => GenerateCommand.Run(verbArgs),
                "quantize" => QuantizeCommand.Run(verbArgs, cancellation.Token),
                "synth" => SynthCommand.Run(verbArgs, cancellation.Token),
                "bench" => BenchCommand.Run(verbArgs),
                "inspect" => InspectCommand.Run(verbArgs),
                "export" => ExportCommand.Run(verbArgs),
                "dev" => DevCommand.Run(verbArgs),
                _ => throw new UsageException($"unknown verb '{rest[0]}'"),
            };
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("qqq: cancelled; nothing was written");
            return 130;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"qqq: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (Exception e) when (e is ModelFormatException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            Console.Error.WriteLine($"qqq: error: {e.Message}");
            if (verbose) Console.Error.WriteLine(e);
            return 1;
        }
        catch (Exception e)
        {
            // A bug, not bad input: still one line unless asked for details.
            Console.Error.WriteLine($"qqq: internal error: {e.GetType().Name}: {e.Message}" + (verbose ? "" : " (--verbose for details)"));
            if (verbose) Console.Error.WriteLine(e);
            return 70;
        }
    }
}
