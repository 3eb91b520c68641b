using QQQ.Cli.Tests.Support;
using QQQ.TestSupport;

namespace QQQ.Cli.Tests;

/// <summary>Bad input to <c>qqq quantize</c>: exit code 1 and exactly one "qqq: error:" line naming the problem, no stack trace.</summary>
public class QuantizeBadInputTests
{
    static readonly string TinyStories = QqqProcess.Shared("data", "text", "tinystories-head.txt");

    static void AssertOneClearError(QqqProcess.Result result, string expectedFragment) => CleanFailure.AssertOneLine(result, 1, expectedFragment);

    static QqqProcess.Result Quantize(string model, string output, params string[] extra) =>
        QqqProcess.Run(["quantize", "--model", model, "--out", output, "--samples", "4", "--seq-len", "64", .. extra]);

    [Fact]
    public void PerGroupWithIndivisibleInFeaturesSuggestsPerChannel()
    {
        using var folder = new TempFolder();
        var result = Quantize(QqqProcess.Shared("models", "stories260K-hf"), folder.File("s.qqq"),
            "--calibration", TinyStories, "--granularity", "per-group", "--group-size", "128");
        AssertOneClearError(result, "per-channel");
        Assert.Contains("64", result.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public void EmptyCalibrationTextIsRejected()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("empty.txt"), "\n\n  \n");
        var result = Quantize(QqqProcess.Shared("models", "stories260K-hf"), folder.File("s.qqq"), "--calibration", folder.File("empty.txt"));
        AssertOneClearError(result, "text is empty");
    }

    [Fact]
    public void CalibrationTextShorterThanOneWindowIsRejected()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("short.txt"), "Once upon a time there was a cat.");
        var result = Quantize(QqqProcess.Shared("models", "stories260K-hf"), folder.File("s.qqq"), "--calibration", folder.File("short.txt"));
        AssertOneClearError(result, "--seq-len 64");
        Assert.False(File.Exists(folder.File("s.qqq")));
    }

    [Theory]
    [InlineData("model.layers.1.self_attn.q_proj.weight", float.NaN)]
    [InlineData("model.embed_tokens.weight", float.PositiveInfinity)]
    [InlineData("model.layers.0.post_attention_layernorm.weight", float.NegativeInfinity)]
    public void NonFiniteWeightsAreNamed(string tensor, float value)
    {
        using var folder = new TempFolder();
        var model = new TinyLlama();
        model.Edit[tensor] = values => values[values.Length / 3] = value;
        model.Write(folder.File("model"));
        var result = Quantize(folder.File("model"), folder.File("m.qqq"), "--calibration", TinyStories);
        AssertOneClearError(result, tensor);
        Assert.Contains("NaN or infinite", result.Stderr);
        Assert.False(File.Exists(folder.File("m.qqq")));
    }

    [Fact]
    public void UnsupportedArchitectureIsNamed()
    {
        using var folder = new TempFolder();
        var model = new TinyLlama();
        model.Config["model_type"] = "gpt2";
        model.Write(folder.File("model"));
        var result = Quantize(folder.File("model"), folder.File("m.qqq"), "--calibration", TinyStories);
        AssertOneClearError(result, "model_type 'gpt2' is not supported");
    }

    [Fact]
    public void UnwritableOutputFolderIsRejectedBeforeAnyWork()
    {
        // /proc refuses new files even to root, where a read-only mode bit would not.
        var result = Quantize(QqqProcess.Shared("models", "stories260K-hf"), "/proc/qqq-test.qqq", "--calibration", TinyStories);
        AssertOneClearError(result, "not writable");
        Assert.DoesNotContain("layer 1/", result.Stderr);
    }
}
