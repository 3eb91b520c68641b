using System.Text.Json;
using QQQ.TestSupport;

namespace QQQ.Cli.Tests;

public class EvalCommandTests
{
    [Fact]
    public void Stories260KTinyStoriesMatchesIndependentNumpyReference()
    {
        var result = QqqProcess.Run("eval", "--model", QqqProcess.Shared("models", "stories260K", "stories260K.bin"),
            "--tokenizer", QqqProcess.Shared("models", "stories260K", "tok512.bin"),
            "--text", QqqProcess.Shared("data", "text", "tinystories-head.txt"), "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal(100708, root.GetProperty("tokens").GetInt32());
        Assert.Equal(196, root.GetProperty("windows").GetInt32());
        Assert.Equal(196 * 511, root.GetProperty("predicted").GetInt64());
        // shared/README.md: mean NLL 1.835993 (ppl 6.2714) from an independent NumPy implementation.
        Assert.InRange(root.GetProperty("nll").GetDouble(), 1.835993 - 0.002, 1.835993 + 0.002);
    }

    [Fact]
    public void WikiTextTokenCountMatchesTransformersReference()
    {
        // One window is scored; the token count covers the whole text (reference.json: 332754 with BOS).
        var result = QqqProcess.Run("eval", "--model", QqqProcess.Shared("models", "llama-sotu-26m"),
            "--text", QqqProcess.Shared("data", "text", "wikitext2-test.raw"), "--max-windows", "1", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal(332754, json.RootElement.GetProperty("tokens").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("windows").GetInt32());
    }

    /// <summary>The full sotu-holdout perplexity (251 windows of 512): a few minutes on 2 cores.</summary>
    [Fact]
    [Trait("Category", "Long")]
    public void LlamaSotuHoldoutMatchesTransformersFp32()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.LlamaSotu, "reference.json")));
        var expected = reference.RootElement.GetProperty("reference").GetProperty("float32").GetProperty("ppl_sotu_holdout");
        var result = QqqProcess.Run("eval", "--model", QqqProcess.Shared("models", "llama-sotu-26m"),
            "--text", QqqProcess.Shared("data", "text", "sotu-holdout.txt"), "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        Assert.Equal(128800, root.GetProperty("tokens").GetInt32());
        Assert.Equal(expected.GetProperty("windows").GetInt32(), root.GetProperty("windows").GetInt32());
        Assert.Equal(expected.GetProperty("predicted_tokens").GetInt64(), root.GetProperty("predicted").GetInt64());
        Assert.InRange(root.GetProperty("nll").GetDouble(), expected.GetProperty("mean_nll").GetDouble() - 0.002, expected.GetProperty("mean_nll").GetDouble() + 0.002);
    }
}
