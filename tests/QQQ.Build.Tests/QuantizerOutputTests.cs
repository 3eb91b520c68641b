using QQQ.Build.Tasks;

namespace QQQ.Build.Tests;

/// <summary>The CLI's stderr contract (src/QQQ.Cli/CommandLine.cs), as the build log shows it.</summary>
public sealed class QuantizerOutputTests
{
    [Theory]
    [InlineData("quantizing m.bin: 5 layers, per-channel, smoothing adaptive, weights gptq, 128 calibration windows of 512 tokens")]
    [InlineData("layer 1/5 quantized in 2.0 s (smoothing 0.0 s, GPTQ 1.8 s, propagation 0.1 s)")]
    [InlineData("wrote /p/obj/qqq/m.qqq (204 KiB) in 12.8 s, peak memory 237 MiB")]
    [InlineData("qqq: cancelled; nothing was written")]
    public void ProgressAndCancellationAreProgress(string line) =>
        Assert.Equal(new QuantizerLine(LineKind.Progress, line), new QuantizerOutput().Classify(line));

    [Fact]
    public void BadInputIsQQQ011WithTheFileAndProblem()
    {
        var line = new QuantizerOutput().Classify("qqq: error: /data/model.bin: file has 12 bytes but its header implies 1040");

        Assert.Equal(LineKind.Error, line.Kind);
        Assert.Equal("QQQ011", line.Code);
        Assert.Equal("the quantizer cannot use an input: /data/model.bin: file has 12 bytes but its header implies 1040", line.Text);
    }

    [Fact]
    public void ABugIsQQQ013()
    {
        var line = new QuantizerOutput().Classify("qqq: internal error: NullReferenceException: oops (--verbose for details)");

        Assert.Equal((LineKind.Error, "QQQ013"), (line.Kind, line.Code));
    }

    [Fact]
    public void AGroupSizeThatDoesNotDivideTheModelIsQQQ004()
    {
        var line = new QuantizerOutput().Classify("qqq: error: /m/stories260K.bin: per-group quantization needs every in_features divisible by the group size 128, but the model's hidden_size is 64: use --granularity per-channel (or a group size that divides it)");

        Assert.Equal((LineKind.Error, "QQQ004"), (line.Kind, line.Code));
        Assert.StartsWith("/m/stories260K.bin: per-group quantization needs", line.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void AGroupSizeRejectedAsAnOptionIsQQQ004TooAndTheUsageTextIsDetail()
    {
        var output = new QuantizerOutput();

        var error = output.Classify("qqq: per-group quantization needs every in_features divisible by the group size 128, but the model's hidden_size is 64: use --granularity per-channel (or a group size that divides it)");
        var usage = output.Classify("usage: qqq <verb> [options]");
        var usageLine = output.Classify("  quantize  --model <path> [--tokenizer <path>] --out <file.qqq> --calibration <file>...");
        var last = output.Classify("A model is a Hugging Face LLaMA folder or a llama2.c .bin file. Add --verbose for stack traces.");

        Assert.Equal((LineKind.Error, "QQQ004"), (error.Kind, error.Code));
        Assert.All([usage, usageLine, last], line => Assert.Equal(LineKind.Detail, line.Kind));
    }

    [Theory]
    [InlineData("qqq: --group-size must be one of 32, 64, 128, got 96", "QQQ003")]
    [InlineData("qqq: --seq-len 4096 is longer than the model's context (512)", "QQQ012")]
    public void OtherRejectedOptionsAreErrors(string text, string code)
    {
        var line = new QuantizerOutput().Classify(text);

        Assert.Equal((LineKind.Error, code), (line.Kind, line.Code));
        Assert.Equal(text["qqq: ".Length..], line.Text);
    }
}
