using System.Diagnostics;
using QQQ.Formats.Artifacts;
using QQQ.Formats.W4A8;
using QQQ.Runtime;
using QQQ.Runtime.Devices;

namespace QQQ.Bench;

/// <summary>Whole-model runs on the selected device: greedy text, and prefill/decode speed on synthetic artifacts.</summary>
static class EndToEnd
{
    public static int Generate(string[] args)
    {
        int tokens = args.Length > 1 ? int.Parse(args[1]) : 60;
        using var artifact = ArtifactFile.Open(args[0]);
        int group = artifact.Manifest.Quantization.GroupSize;
        artifact.Dispose();
        var text = group switch
        {
            -1 => Greedy<PerChannel>(args[0], tokens),
            128 => Greedy<PerGroup128>(args[0], tokens),
            _ => throw new ArgumentException($"group size {group}"),
        };
        Console.WriteLine(text);
        return 0;
    }

    static string Greedy<TG>(string path, int tokens) where TG : struct, IWeightGranularity
    {
        using var model = QQQModel<TG>.Load(path);
        Console.Error.WriteLine($"device: {model.Device}");
        return string.Concat(model.Generate("", new GenerationSettings { MaxTokens = tokens }));
    }

    /// <summary>e2e &lt;shape&gt; &lt;pc|g128&gt; &lt;tokenizer.model&gt; [prefill 2048] [decode 128]</summary>
    public static int Speed(string[] args)
    {
        var config = SyntheticArtifact.Shapes[args[0]];
        var granularity = args[1] == "g128" ? Granularity.PerGroup(128) : (Granularity)Granularity.PerChannel;
        int prefill = args.Length > 3 ? int.Parse(args[3]) : 2048, decode = args.Length > 4 ? int.Parse(args[4]) : 128;
        string path = Path.Combine(Path.GetTempPath(), $"synthetic-{args[0]}-{args[1]}.qqq");
        var clock = Stopwatch.StartNew();
        SyntheticArtifact.Write(path, config, granularity, File.ReadAllBytes(args[2]), Path.GetFileName(args[2]), seed: 1);
        Console.Error.WriteLine($"synthetic {args[0]} {args[1]}: {new FileInfo(path).Length >> 20} MiB written in {clock.Elapsed.TotalSeconds:F0} s");
        return args[1] == "g128" ? Measure<PerGroup128>(path, prefill, decode, args[0]) : Measure<PerChannel>(path, prefill, decode, args[0]);
    }

    static int Measure<TG>(string path, int prefill, int decode, string shape) where TG : struct, IWeightGranularity
    {
        var clock = Stopwatch.StartNew();
        using var model = QQQModel<TG>.Load(path, new QQQModelOptions { PrefillChunk = 512 });
        Console.Error.WriteLine($"loaded on {model.Device} in {clock.Elapsed.TotalSeconds:F0} s");
        var ids = Enumerable.Range(0, prefill).Select(i => 100 + i % 20000).ToArray();
        model.Forward(ids.AsSpan(0, 64));   // warm-up: kernel compilation
        var settings = new GenerationSettings { MaxTokens = 1, StopAtEndOfSequence = false };
        string prompt = string.Concat(Enumerable.Repeat(" the", prefill - 2));
        string Run(int maxTokens) => string.Concat(model.Generate(prompt, settings with { MaxTokens = maxTokens }));
        Run(1);
        clock.Restart();
        Run(1);
        double prefillSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        Run(1 + decode);
        double decodeSeconds = clock.Elapsed.TotalSeconds - prefillSeconds;
        Console.WriteLine($"{{\"shape\":\"{shape}\",\"granularity\":\"{typeof(TG).Name}\",\"prefill_tokens\":{prefill}," +
            $"\"prefill_tok_s\":{prefill / prefillSeconds:F0},\"decode_tokens\":{decode},\"decode_tok_s\":{decode / decodeSeconds:F1}," +
            $"\"decode_ms_per_token\":{1000 * decodeSeconds / decode:F2}}}");
        return 0;
    }
}
