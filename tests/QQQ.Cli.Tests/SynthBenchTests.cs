using System.Text.Json;
using System.Text.Json.Nodes;
using QQQ.Cli.Tests.Support;
using QQQ.TestSupport;

namespace QQQ.Cli.Tests;

/// <summary><c>qqq synth</c> makes an artifact of the requested shape that <c>bench</c>, <c>generate</c> and <c>eval</c> run on the CPU runtime.</summary>
public class SynthBenchTests(SyntheticTiny tiny) : IClassFixture<SyntheticTiny>
{
    [Fact]
    public void TheManifestHoldsTheRequestedShape()
    {
        var result = QqqProcess.Run("inspect", tiny.Path, "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var manifest = JsonNode.Parse(result.Stdout)!;
        var architecture = manifest["architecture"]!;
        Assert.Equal(256, (int)architecture["hidden_size"]!);
        Assert.Equal(688, (int)architecture["intermediate_size"]!);
        Assert.Equal(2, (int)architecture["num_hidden_layers"]!);
        Assert.Equal(4, (int)architecture["num_attention_heads"]!);
        Assert.Equal(2, (int)architecture["num_key_value_heads"]!);
        Assert.Equal(512, (int)architecture["vocab_size"]!);
        Assert.Equal(SyntheticTiny.Context, (int)architecture["max_position_embeddings"]!);
        Assert.Equal(-1, (int)manifest["quantization"]!["group_size"]!);
        Assert.Equal("random", (string)manifest["quantization"]!["weights"]!);
    }

    [Fact]
    public void BenchJsonReportsPositiveFiniteSpeedsForTheRequestedTokenCounts()
    {
        var result = QqqProcess.Run("bench", "--model", tiny.Path, "--device", "cpu", "--prefill", "48", "--decode", "6", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal("cpu", root.GetProperty("device").GetString());
        Assert.Equal("per-channel", root.GetProperty("granularity").GetString());
        Assert.Equal(48, root.GetProperty("prefill_tokens").GetInt32());
        Assert.Equal(6, root.GetProperty("decode_tokens").GetInt32());
        foreach (var name in new[] { "load_seconds", "prefill_seconds", "prefill_tokens_per_second", "decode_seconds", "decode_tokens_per_second", "decode_ms_per_token" })
        {
            double value = root.GetProperty(name).GetDouble();
            Assert.True(double.IsFinite(value) && value > 0, $"{name} = {value}");
        }
        // The rates are the counts over the times, not independent numbers.
        Assert.Equal(48 / root.GetProperty("prefill_seconds").GetDouble(), root.GetProperty("prefill_tokens_per_second").GetDouble(), 6);
        Assert.Equal(1000 * root.GetProperty("decode_seconds").GetDouble() / 6, root.GetProperty("decode_ms_per_token").GetDouble(), 6);
    }

    [Fact]
    public void BenchTextNamesTheMethod()
    {
        var result = QqqProcess.Run("bench", "--model", tiny.Path, "--device", "cpu", "--prefill", "16", "--decode", "2");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("16 prompt tokens", result.Stdout);
        Assert.Contains("2 single-token steps over the KV cache", result.Stdout);
        Assert.Contains("ms/token", result.Stdout);
    }

    [Fact]
    public void PromptAndGeneratedTokensMayFillTheContextExactly()
    {
        var result = QqqProcess.Run("bench", "--model", tiny.Path, "--device", "cpu", "--prefill", "120", "--decode", "7", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(7, JsonDocument.Parse(result.Stdout).RootElement.GetProperty("decode_tokens").GetInt32());
    }

    [Fact]
    public void GenerateAndEvalRunTheArtifactOnTheCpuRuntime()
    {
        var generate = QqqProcess.Run("generate", "--model", tiny.Path, "--device", "cpu", "--greedy", "--max-tokens", "8");
        Assert.True(generate.ExitCode == 0, generate.Stderr);

        var eval = QqqProcess.Run("eval", "--model", tiny.Path, "--engine", "runtime", "--device", "cpu",
            "--text", QqqProcess.Shared("data", "text", "tinystories-head.txt"), "--window", "64", "--max-windows", "2", "--json");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using var json = JsonDocument.Parse(eval.Stdout);
        Assert.Equal(2, json.RootElement.GetProperty("windows").GetInt32());
        // Random weights predict next to nothing: perplexity finite and well above 1 (uniform guessing gives the vocabulary, 512).
        Assert.InRange(json.RootElement.GetProperty("perplexity").GetDouble(), 50, 50_000);
    }

    [Fact]
    public void PerGroup64ArtifactsBenchToo()
    {
        using var folder = new TempFolder();
        var synth = SyntheticTiny.Synth("hidden=128,intermediate=256,layers=1,heads=2,vocab=512,context=64", folder.File("g64.qqq"),
            "--granularity", "per-group", "--group-size", "64");
        Assert.True(synth.ExitCode == 0, synth.Stderr);

        var result = QqqProcess.Run("bench", "--model", folder.File("g64.qqq"), "--device", "cpu", "--prefill", "8", "--decode", "2", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("per-group 64", JsonDocument.Parse(result.Stdout).RootElement.GetProperty("granularity").GetString());
    }

    [Fact]
    public void TheSameSeedWritesTheSameBytesAndAnotherSeedOthers()
    {
        // The same file name as the fixture's: the manifest names the artifact after it.
        using var same = new TempFolder();
        using var other = new TempFolder();
        Assert.Equal(0, SyntheticTiny.Synth(SyntheticTiny.Shape, same.File("tiny.qqq")).ExitCode);
        Assert.Equal(0, SyntheticTiny.Synth(SyntheticTiny.Shape, other.File("tiny.qqq"), "--seed", "2").ExitCode);

        var expected = File.ReadAllBytes(tiny.Path);
        Assert.Equal(expected, File.ReadAllBytes(same.File("tiny.qqq")));
        var reseeded = File.ReadAllBytes(other.File("tiny.qqq"));
        Assert.Equal(expected.Length, reseeded.Length);
        Assert.NotEqual(expected, reseeded);
    }

    [Fact]
    public void CtrlCMidSynthExits130AndLeavesNoFile()
    {
        // LLaMA-2-7B's layers (a second or two each here) with a small vocabulary: stopped after the first layer.
        using var folder = new TempFolder();
        using var child = QqqChild.Start("synth", "--shape", "hidden=4096,intermediate=11008,layers=32,heads=32,vocab=512,context=64",
            "--tokenizer", QqqProcess.Shared("models", "stories260K", "tok512.bin"), "--out", folder.File("big.qqq"));
        Assert.True(child.WaitForLine(l => l.StartsWith("synth layers 1/32", StringComparison.Ordinal), TimeSpan.FromMinutes(2)), child.Stderr);
        child.Signal(QqqChild.SigInt);
        Assert.Equal(130, child.WaitForExit(TimeSpan.FromMinutes(2)));
        Assert.Contains("cancelled", child.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }
}
