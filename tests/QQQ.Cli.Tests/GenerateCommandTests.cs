using System.Text.Json;
using QQQ.TestSupport;

namespace QQQ.Cli.Tests;

public class GenerateCommandTests
{
    static string ReferenceText()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.Stories260KHf, "reference.json")));
        return reference.RootElement.GetProperty("greedy_from_bos").GetProperty("text").GetString()!;
    }

    [Theory]
    [InlineData("stories260K/stories260K.bin")]
    [InlineData("stories260K-hf")]
    public void GreedyStories260KPrintsTheReferenceStory(string model)
    {
        var args = new List<string> { "generate", "--model", QqqProcess.Shared(["models", .. model.Split('/')]), "--greedy", "--max-tokens", "60" };
        if (model.EndsWith(".bin", StringComparison.Ordinal))
            args.AddRange(["--tokenizer", QqqProcess.Shared("models", "stories260K", "tok512.bin")]);
        var result = QqqProcess.Run([.. args]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(ReferenceText(), result.Stdout.TrimEnd('\n'));
    }

    [Fact]
    public void LlamaSotuGreedyContinuesThePromptAsTransformersDoes()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.LlamaSotu, "reference.json")));
        var greedy = reference.RootElement.GetProperty("reference").GetProperty("float32").GetProperty("greedy_48").GetProperty("state_of_union");
        var result = QqqProcess.Run("generate", "--model", QqqProcess.Shared("models", "llama-sotu-26m"),
            "--prompt", greedy.GetProperty("prompt").GetString()!, "--greedy", "--max-tokens", "48");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(greedy.GetProperty("full_text").GetString(), result.Stdout.TrimEnd('\n'));
    }

    [Fact]
    public void SampledGenerationIsReproducibleForASeed()
    {
        string[] args = ["generate", "--model", QqqProcess.Shared("models", "stories260K-hf"), "--temperature", "0.9", "--top-p", "0.9", "--seed", "7", "--max-tokens", "40"];
        var first = QqqProcess.Run(args);
        var second = QqqProcess.Run(args);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal(first.Stdout, second.Stdout);
        Assert.NotEqual(ReferenceText(), first.Stdout.TrimEnd('\n'));
    }
}
