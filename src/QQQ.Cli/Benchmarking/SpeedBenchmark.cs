using System.Diagnostics;
using QQQ.Cli.Evaluation;
using QQQ.Formats;
using QQQ.Runtime;
using QQQ.Runtime.Devices;
using QQQ.Runtime.Generation;

namespace QQQ.Cli.Benchmarking;

/// <summary>
/// Prefill and decode speed of an artifact on the runtime, through QQQModel's public API as an application meets it:
/// <list type="number">
/// <item>load: <c>QQQModel.Load</c> (read the file, repack and upload the weights, allocate the KV cache for the model's context);</item>
/// <item>warm-up: one prefill of the prompt and one decode step, so that every kernel is compiled before the clock runs;</item>
/// <item>one timed <c>GenerateTokens</c> run over a prompt of <see cref="Prefill"/> token ids (BOS, then ids drawn uniformly
/// from the vocabulary with seed 0), greedy, end of sequence ignored, producing 1 + <see cref="Decode"/> tokens.
/// Prefill is the time to the first token: one forward pass over the whole prompt (chunks of 512 tokens, logits of the last
/// position only) and its argmax. Decode is the time of the <see cref="Decode"/> tokens after it, each one single-token forward
/// step over the KV cache (positions Prefill .. Prefill + Decode - 1) and its argmax.</item>
/// </list>
/// Every step copies its logits to the host, so the device has finished its work when the clock is read.
/// </summary>
public sealed record SpeedBenchmark(string ArtifactPath, DeviceKind Device, int Prefill, int Decode, Action<string> Log)
    : IRuntimeGranularityUser<SpeedResult>
{
    public SpeedResult Use<TGranularity>() where TGranularity : struct, IWeightGranularity
    {
        var clock = Stopwatch.StartNew();
        using var model = QQQModel<TGranularity>.Load(ArtifactPath, new QQQModelOptions { Device = Device });
        double loadSeconds = clock.Elapsed.TotalSeconds;
        Log($"loaded on {model.Device.ToString().ToLowerInvariant()} in {loadSeconds:F1} s; warming up");
        var prompt = Prompt(model.Config);
        var greedy = new GenerationSettings { Sampling = SamplingSettings.Greedy, StopAtEndOfSequence = false };
        foreach (var _ in model.GenerateTokens(prompt, greedy with { MaxTokens = 2 })) { }

        Log($"measuring: prefill {Prefill} tokens, then decode {Decode}");
        using var tokens = model.GenerateTokens(prompt, greedy with { MaxTokens = 1 + Decode }).GetEnumerator();
        clock.Restart();
        tokens.MoveNext();
        double prefillSeconds = clock.Elapsed.TotalSeconds;
        int decoded = 0;
        clock.Restart();
        while (tokens.MoveNext()) decoded++;
        double decodeSeconds = clock.Elapsed.TotalSeconds;
        return new SpeedResult(model.Device, loadSeconds, Prefill, prefillSeconds, decoded, decodeSeconds);
    }

    int[] Prompt(ModelConfig config)
    {
        var random = new Random(0);
        var ids = new int[Prefill];
        ids[0] = config.BosTokenId;
        for (int i = 1; i < ids.Length; i++) ids[i] = random.Next(config.VocabSize);
        return ids;
    }
}
