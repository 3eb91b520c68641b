using System.Globalization;
using System.Text.Json.Nodes;
using QQQ.Cli.Tests.Support;
using QQQ.TestSupport;

namespace QQQ.Cli.Tests;

public class InspectCommandTests
{
    static string QuantizeTiny(TempFolder folder)
    {
        new TinyLlama().Write(folder.File("model"));
        var result = QqqProcess.Run("quantize", "--model", folder.File("model"), "--calibration", QqqProcess.Shared("data", "text", "tinystories-head.txt"),
            "--out", folder.File("tiny.qqq"), "--samples", "2", "--seq-len", "64", "--granularity", "per-group", "--weights", "rtn");
        Assert.True(result.ExitCode == 0, result.Stderr);
        return folder.File("tiny.qqq");
    }

    [Fact]
    public void DescribesTheArtifactInWords()
    {
        using var folder = new TempFolder();
        var artifact = QuantizeTiny(folder);
        var result = QqqProcess.Run("inspect", artifact);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var text = result.Stdout;
        Assert.Contains("tiny", text);
        Assert.Contains("llama, 2 layers, hidden 128, intermediate 256", text);
        Assert.Contains("per-group (group size 128), layout qqq-marlin", text);
        Assert.Contains("adaptive", text);
        Assert.Contains("rtn", text);
        Assert.Contains("2 windows x 64 tokens, seed 0, from tinystories-head.txt", text);
        Assert.Contains("llama2c, tok512.bin", text);

        // Parameters counted here from the shapes: 7 linears per layer, embedding and untied lm_head, 2 norms per layer + final.
        int h = TinyLlama.Hidden, i = TinyLlama.Intermediate;
        long linears = TinyLlama.Layers * (4L * h * h + 3L * h * i);
        long parameters = linears + 2L * TinyLlama.Vocab * h + (2 * TinyLlama.Layers + 1) * h;
        long bytes = new FileInfo(artifact).Length;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{parameters:N0} ({linears:N0} in 14 quantized linears"), text);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{(double)bytes / parameters:F3} bytes per parameter"), text);
    }

    [Fact]
    public void JsonIsTheManifest()
    {
        using var folder = new TempFolder();
        var artifact = QuantizeTiny(folder);
        var result = QqqProcess.Run("inspect", artifact, "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(artifact + ".json")), JsonNode.Parse(result.Stdout)));
    }

    [Theory]
    [InlineData("safetensors", "not a QQQ artifact")]
    [InlineData("text", "header length")]
    [InlineData("folder", "not a QQQ artifact")]
    [InlineData("missing", "no-such.qqq")]
    public void NonArtifactsGetOneClearError(string kind, string expected)
    {
        using var folder = new TempFolder();
        string path = kind switch
        {
            "safetensors" => QqqProcess.Shared("models", "stories260K-hf", "model.safetensors"),
            "folder" => folder.Path,
            "missing" => folder.File("no-such.qqq"),
            _ => folder.File("notes.qqq"),
        };
        if (kind == "text") File.WriteAllText(path, "just some text, long enough to have eight bytes");
        var result = QqqProcess.Run("inspect", path);
        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.Stderr.Split('\n'), l => l.StartsWith("qqq:", StringComparison.Ordinal));
        Assert.Contains(expected, error);
        Assert.DoesNotContain("   at ", result.Stderr);
    }
}
