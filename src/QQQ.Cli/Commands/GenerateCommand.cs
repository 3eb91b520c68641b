using QQQ.Runtime.Generation;

namespace QQQ.Cli.Commands;

/// <summary><c>qqq generate</c>: streams a continuation of the prompt (or of BOS alone) to stdout.</summary>
public static class GenerateCommand
{
    public static int Run(IReadOnlyList<string> args)
    {
        var arguments = Arguments.Parse(args, new HashSet<string> { "greedy" });
        string prompt = arguments.Optional("prompt") ?? "";
        int maxTokens = arguments.Int("max-tokens", 256, min: 1);
        var settings = ReadSampling(arguments);
        var (engine, tokenizer) = ModelInputs.Open(arguments);
        arguments.RejectUnknown();
        using (engine)
        {
            Console.Write(prompt);
            foreach (var piece in engine.Generate(tokenizer, prompt, maxTokens, settings))
            {
                Console.Write(piece);
                Console.Out.Flush();
            }
            Console.WriteLine();
        }
        return 0;
    }

    static SamplingSettings ReadSampling(Arguments arguments)
    {
        bool greedy = arguments.Flag("greedy");
        if (greedy && new[] { "temperature", "top-p", "top-k", "seed" }.Any(n => arguments.Values(n).Count > 0))
            throw new UsageException("--greedy cannot be combined with --temperature, --top-p, --top-k or --seed");
        var sampled = new SamplingSettings
        {
            Temperature = (float)arguments.Double("temperature", 0.8, 0, 100),
            TopP = (float)arguments.Double("top-p", 0.95, double.Epsilon, 1),
            TopK = arguments.Int("top-k", 0, min: 0),
            Seed = arguments.Int("seed", 0),
        };
        return greedy ? SamplingSettings.Greedy : sampled;
    }
}
