using System.Globalization;
using System.Text.Json;
using QQQ.Cli.Benchmarking;
using QQQ.Cli.Evaluation;
using QQQ.Formats.Artifacts;

namespace QQQ.Cli.Commands;

/// <summary><c>qqq bench</c>: load time, prefill and decode speed of an artifact on the runtime (method: <see cref="SpeedBenchmark"/>).</summary>
public static class BenchCommand
{
    public static int Run(IReadOnlyList<string> args)
    {
        var arguments = Arguments.Parse(args, new HashSet<string> { "json" });
        bool json = arguments.Flag("json");
        string path = arguments.Required("model");
        int prefill = arguments.Int("prefill", 512, min: 1);
        int decode = arguments.Int("decode", 64, min: 1);
        var device = ModelInputs.ReadDevice(arguments);
        arguments.RejectUnknown();
        if (!ModelInputs.IsArtifact(path))
            throw new UsageException($"qqq bench measures the runtime, which runs QQQ artifacts (.qqq); got '{path}'");

        int groupSize, context;
        using (var artifact = ArtifactFile.Open(path))
        {
            groupSize = artifact.Manifest.Quantization.GroupSize;
            context = artifact.Config.MaxSequenceLength;
        }
        // The sequence holds the prompt and every generated token: the first (from the prefill) and the decoded ones.
        if (prefill + 1 + decode > context)
            throw new ArgumentException($"{path}: the model's context of {context} tokens cannot hold --prefill {prefill} + 1 + --decode {decode} tokens");

        Console.Error.WriteLine($"loading {path}");
        var result = RuntimeGranularity.Dispatch(path, groupSize, new SpeedBenchmark(path, device, prefill, decode, Console.Error.WriteLine));
        string granularity = groupSize == -1 ? "per-channel" : $"per-group {groupSize}";
        string deviceName = result.Device.ToString().ToLowerInvariant();
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                model = path,
                device = deviceName,
                granularity,
                load_seconds = result.LoadSeconds,
                prefill_tokens = result.PrefillTokens,
                prefill_seconds = result.PrefillSeconds,
                prefill_tokens_per_second = result.PrefillTokensPerSecond,
                decode_tokens = result.DecodeTokens,
                decode_seconds = result.DecodeSeconds,
                decode_tokens_per_second = result.DecodeTokensPerSecond,
                decode_ms_per_token = result.DecodeMillisecondsPerToken,
            }));
            return 0;
        }
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"model    {path} ({granularity})");
        Console.WriteLine($"device   {deviceName}");
        Console.WriteLine(string.Create(inv, $"load     {result.LoadSeconds:F2} s (read the artifact, repack and upload the weights)"));
        Console.WriteLine(string.Create(inv,
            $"prefill  {result.PrefillTokensPerSecond:F1} tokens/s ({result.PrefillTokens} prompt tokens in {result.PrefillSeconds:F3} s: one forward pass, to the first token)"));
        Console.WriteLine(string.Create(inv,
            $"decode   {result.DecodeTokensPerSecond:F1} tokens/s, {result.DecodeMillisecondsPerToken:F2} ms/token ({result.DecodeTokens} single-token steps over the KV cache after the prompt, greedy)"));
        return 0;
    }
}
