using System.Globalization;
using System.Text.Json;
using QQQ.Cli.Tests.Support;
using Xunit.Abstractions;
using QQQ.TestSupport;

namespace QQQ.Cli.Tests;

/// <summary>
/// Issue #4: <c>qqq eval --engine runtime --device cpu</c> gives the perplexity of <c>--engine simulate</c> within 0.2%
/// on QQQ artifacts of llama-sotu-26m, per channel and per group of 128 (stories260K is checked at library level by
/// QQQ.Runtime.Tests' RuntimeVersusSimulationTests). Both engines compute every linear exactly (measured: position 0's
/// logits, which q and k do not touch, agree to 5e-6); they differ where the runtime's KV cache keeps q and k after
/// RoPE in fp16 and the simulation in fp32. On the artifacts below that moves the perplexity of single windows of 512
/// by -0.16% .. +0.04%, and over the first 8 windows by -0.05% (both granularities; a TorchSharp simulation that rounds
/// q and k to fp16 too drifts the same way: -0.07% per channel, -0.04% per group). Over the 4 windows here the
/// perplexities differ by -0.044% (per channel) and -0.018% (per group), so the bound leaves 4x room above that drift.
/// </summary>
public class RuntimeVersusSimulateTests(ITestOutputHelper output)
{
    /// <summary>
    /// 4 windows of 512: 2044 predictions, as many as the library test's 2040 on stories260K (2 windows would leave
    /// -0.10% per channel, half the bound). The runtime takes ~26 s of CPU time per window on the CPU accelerator
    /// (about 2/3 of it in the fp16 lm_head), the simulation ~2 s; both cases together ~7 minutes of CPU time.
    /// </summary>
    const int Windows = 4;

    /// <summary>
    /// GPTQ on a small calibration without adaptive smoothing: smoothing is folded into the norms and weights of the
    /// artifact, so it changes no path either engine takes, and it would add ~8 minutes on 2 cores.
    /// (Adaptive artifacts, measured by hand over the same 4 windows: +0.035% per channel, -0.018% per group.)
    /// </summary>
    static void Quantize(string artifact, string granularity, string[] groupOptions)
    {
        var result = QqqProcess.Run([
            "quantize", "--model", QqqProcess.Shared("models", "llama-sotu-26m"),
            "--calibration", QqqProcess.Shared("data", "text", "sotu-train.txt"), "--samples", "8", "--seq-len", "256",
            "--smooth", "none", "--granularity", granularity, .. groupOptions, "--out", artifact,
        ]);
        Assert.True(result.ExitCode == 0, result.Stderr);
    }

    /// <summary>Perplexity and prediction count of <c>qqq eval --json</c> over the first <see cref="Windows"/> windows.</summary>
    static (double Perplexity, long Predicted) Eval(string artifact, params string[] engine)
    {
        var result = QqqProcess.Run([
            "eval", "--model", artifact, "--text", QqqProcess.Shared("data", "text", "sotu-holdout.txt"), .. engine,
            "--max-windows", Windows.ToString(CultureInfo.InvariantCulture), "--json",
        ]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        return (json.RootElement.GetProperty("perplexity").GetDouble(), json.RootElement.GetProperty("predicted").GetInt64());
    }

    [Theory]
    [Trait("Category", "Long")]
    [InlineData("per-channel")]
    [InlineData("per-group", "--group-size", "128")]
    public void LlamaSotuPerplexityMatchesSimulationWithinPointTwoPercent(string granularity, params string[] groupOptions)
    {
        using var folder = new TempFolder();
        string artifact = folder.File("llama-sotu.qqq");
        Quantize(artifact, granularity, groupOptions);

        var simulate = Eval(artifact, "--engine", "simulate");
        var runtime = Eval(artifact, "--engine", "runtime", "--device", "cpu");

        Assert.Equal(Windows * 511L, simulate.Predicted);
        Assert.Equal(simulate.Predicted, runtime.Predicted);
        double gap = runtime.Perplexity / simulate.Perplexity - 1;
        string message = string.Create(CultureInfo.InvariantCulture,
            $"{granularity}, {runtime.Predicted} predictions: perplexity runtime {runtime.Perplexity:F5}, simulate {simulate.Perplexity:F5} ({gap:+0.000%;-0.000%})");
        output.WriteLine(message);
        Assert.True(Math.Abs(gap) < 0.002, message);
    }
}
