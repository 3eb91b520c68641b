using QQQ.Cli.Tests.Support;
using QQQ.TestSupport;

namespace QQQ.Cli.Tests;

/// <summary>
/// Bad input to <c>qqq synth</c> and <c>qqq bench</c>: one "qqq:" line, exit 2 for a bad command line (unknown shape,
/// malformed dimensions, missing options), 1 for input that cannot work (impossible dimensions, a tokenizer that does
/// not fit, an unwritable output, a context too short); synth leaves no file behind.
/// </summary>
public class SynthBenchBadInputTests(SyntheticTiny tiny) : IClassFixture<SyntheticTiny>
{
    const string Valid = "hidden=128,intermediate=256,layers=1,heads=2,vocab=512,context=64";

    [Theory]
    [InlineData("llama2-70b", "must be one of llama2-7b, llama2-13b, llama3-8b")]
    [InlineData("hidden=128,intermediate=256,layers=1,heads=2,vocab=512", "missing context")]
    [InlineData("hidden=128,intermediate=256,layers=1,heads=2,vocab=512,context=64,depth=3", "unknown dimension 'depth'")]
    [InlineData("hidden=128,intermediate=256,layers=one,heads=2,vocab=512,context=64", "layers must be a positive integer")]
    [InlineData("hidden=128,intermediate=256,layers=0,heads=2,vocab=512,context=64", "layers must be a positive integer")]
    [InlineData("hidden=-128,intermediate=256,layers=1,heads=2,vocab=512,context=64", "hidden must be a positive integer")]
    [InlineData("hidden=128,intermediate=256,layers=1,heads=2,vocab=512,context=64,hidden=256", "hidden is given twice")]
    [InlineData("hidden=128;intermediate=256", "is not key=value")]
    public void MalformedShapesAreUsageErrors(string shape, string expected)
    {
        using var folder = new TempFolder();
        CleanFailure.AssertOneLine(SyntheticTiny.Synth(shape, folder.File("x.qqq")), 2, expected);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Theory]
    [InlineData("hidden=130,intermediate=256,layers=1,heads=4,vocab=512,context=64", "hidden_size 130 is not divisible by num_attention_heads 4")]
    [InlineData("hidden=128,intermediate=256,layers=1,heads=4,kv-heads=3,vocab=512,context=64", "not a multiple of num_key_value_heads 3")]
    [InlineData("hidden=96,intermediate=256,layers=1,heads=32,vocab=512,context=64", "head dimension 3 must be even")]
    [InlineData("hidden=128,intermediate=256,layers=1,heads=2,vocab=2,context=64", "bos/eos token ids must lie inside the vocabulary")]
    public void ImpossibleDimensionsAreBadInput(string shape, string expected)
    {
        using var folder = new TempFolder();
        CleanFailure.AssertOneLine(SyntheticTiny.Synth(shape, folder.File("x.qqq")), 1, expected);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public void AGroupSizeThatDoesNotDivideTheDimensionsSuggestsPerChannel()
    {
        using var folder = new TempFolder();
        var result = SyntheticTiny.Synth(SyntheticTiny.Shape, folder.File("x.qqq"), "--granularity", "per-group", "--group-size", "128");
        CleanFailure.AssertOneLine(result, 1, "intermediate_size is 688: use --granularity per-channel");
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public void AnUnsupportedGroupSizeIsAUsageError()
    {
        using var folder = new TempFolder();
        CleanFailure.AssertOneLine(SyntheticTiny.Synth(Valid, folder.File("x.qqq"), "--granularity", "per-group", "--group-size", "16"), 2,
            "--group-size must be one of 32, 64, 128");
    }

    [Fact]
    public void ATokenizerLargerThanTheVocabularyIsNamed()
    {
        using var folder = new TempFolder();
        var tokenizer = QqqProcess.Shared("models", "llama-sotu-26m", "tokenizer.model");
        var result = QqqProcess.Run("synth", "--shape", Valid, "--tokenizer", tokenizer, "--out", folder.File("x.qqq"));
        CleanFailure.AssertOneLine(result, 1, "tokenizer.model");
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Fact]
    public void MissingOptionsAreUsageErrors()
    {
        using var folder = new TempFolder();
        CleanFailure.AssertOneLine(QqqProcess.Run("synth", "--shape", Valid, "--tokenizer", QqqProcess.Shared("models", "stories260K", "tok512.bin")), 2,
            "--out is required");
        CleanFailure.AssertOneLine(QqqProcess.Run("synth", "--shape", Valid, "--out", folder.File("x.qqq")), 2, "--tokenizer <file> is required");
        CleanFailure.AssertOneLine(QqqProcess.Run("bench", "--decode", "4"), 2, "--model is required");
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }

    [Theory]
    [InlineData("/proc/qqq-synth-test.qqq", "not writable")]   // /proc refuses new files even to root
    [InlineData("/no/such/folder/x.qqq", "does not exist")]
    public void UnwritableOutputsAreRejected(string output, string expected)
    {
        CleanFailure.AssertOneLine(SyntheticTiny.Synth(Valid, output), 1, expected);
    }

    [Fact]
    public void BenchNeedsAnArtifact()
    {
        CleanFailure.AssertOneLine(QqqProcess.Run("bench", "--model", QqqProcess.Shared("models", "stories260K-hf")), 2, "QQQ artifacts (.qqq)");
        CleanFailure.AssertOneLine(QqqProcess.Run("bench", "--model", "no/such/model.qqq"), 1, "no/such/model.qqq");
    }

    [Fact]
    public void BenchRejectsRunsLongerThanTheContextBeforeLoading()
    {
        var result = QqqProcess.Run("bench", "--model", tiny.Path, "--device", "cpu", "--prefill", "120", "--decode", "8");
        CleanFailure.AssertOneLine(result, 1, $"context of {SyntheticTiny.Context} tokens cannot hold --prefill 120 + 1 + --decode 8");
        Assert.DoesNotContain("loading", result.Stderr);
    }

    [Theory]
    [InlineData("--device", "tpu", "--device must be auto, cpu or cuda")]
    [InlineData("--prefill", "0", "--prefill must be an integer")]
    [InlineData("--decode", "many", "--decode must be an integer")]
    public void BadBenchOptionsAreUsageErrors(string option, string value, string expected)
    {
        CleanFailure.AssertOneLine(QqqProcess.Run("bench", "--model", tiny.Path, option, value), 2, expected);
    }

    [Theory]
    // A valid LLaMA (head dim 8) whose hidden size 48 is not a multiple of the GEMM's 32-wide tiles.
    [InlineData("hidden=48,intermediate=64,layers=1,heads=6,vocab=512,context=32", "hidden_size (48) to be a multiple of 32")]
    // head_dim 320: over what the tiled attention kernel's registers and shared memory hold.
    [InlineData("hidden=640,intermediate=64,layers=1,heads=2,vocab=512,context=32", "head_dim (320) of at most 256")]
    public void ShapesTheRuntimeCannotRunFailOnLoadWithTheReason(string shape, string reason)
    {
        using var folder = new TempFolder();
        Assert.Equal(0, SyntheticTiny.Synth(shape, folder.File("odd.qqq")).ExitCode);
        var result = QqqProcess.Run("bench", "--model", folder.File("odd.qqq"), "--device", "cpu", "--prefill", "4", "--decode", "1");
        CleanFailure.AssertOneLine(result, 1, reason);
    }
}
