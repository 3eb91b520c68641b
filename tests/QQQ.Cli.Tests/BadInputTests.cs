namespace QQQ.Cli.Tests;

/// <summary>Bad input ends with a non-zero exit code and one clear line naming the problem, never a stack trace.</summary>
public class BadInputTests
{
    static void AssertCleanFailure(QqqProcess.Result result, int exitCode, string expectedFragment)
    {
        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(expectedFragment, result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.DoesNotContain("Exception", result.Stderr);
    }

    [Fact]
    public void EmptyTextIsRejected()
    {
        var empty = Path.Combine(Path.GetTempPath(), $"qqq-empty-{Guid.NewGuid():N}.txt");
        File.WriteAllText(empty, "\n \n");
        try
        {
            var result = QqqProcess.Run("eval", "--model", QqqProcess.Shared("models", "stories260K-hf"), "--text", empty);
            AssertCleanFailure(result, 1, "text is empty");
        }
        finally
        {
            File.Delete(empty);
        }
    }

    [Fact]
    public void TextShorterThanOneWindowIsRejected()
    {
        var shortText = Path.Combine(Path.GetTempPath(), $"qqq-short-{Guid.NewGuid():N}.txt");
        File.WriteAllText(shortText, "Once upon a time.");
        try
        {
            var result = QqqProcess.Run("eval", "--model", QqqProcess.Shared("models", "stories260K-hf"), "--text", shortText);
            AssertCleanFailure(result, 1, "fewer than one window");
        }
        finally
        {
            File.Delete(shortText);
        }
    }

    [Fact]
    public void MissingModelIsNamed()
    {
        var result = QqqProcess.Run("generate", "--model", "no/such/model.bin", "--greedy");
        AssertCleanFailure(result, 1, "no/such/model.bin");
    }

    [Fact]
    public void TruncatedCheckpointIsNamed()
    {
        var truncated = Path.Combine(Path.GetTempPath(), $"qqq-trunc-{Guid.NewGuid():N}.bin");
        var bytes = File.ReadAllBytes(QQQ.TestSupport.SharedData.Stories260KBin);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        try
        {
            var result = QqqProcess.Run("generate", "--model", truncated, "--tokenizer", QqqProcess.Shared("models", "stories260K", "tok512.bin"));
            AssertCleanFailure(result, 1, truncated);
        }
        finally
        {
            File.Delete(truncated);
        }
    }

    [Fact]
    public void UnknownOptionIsAUsageError()
    {
        var result = QqqProcess.Run("eval", "--model", QqqProcess.Shared("models", "stories260K-hf"), "--text", "x", "--windw", "3");
        AssertCleanFailure(result, 2, "unknown option --windw");
    }

    [Fact]
    public void TokenizerThatDoesNotFitTheModelIsRejected()
    {
        // llama-sotu's 32000-piece tokenizer with the 512-token stories260K model.
        var result = QqqProcess.Run("generate", "--model", QqqProcess.Shared("models", "stories260K-hf"),
            "--tokenizer", QqqProcess.Shared("models", "llama-sotu-26m", "tokenizer.model"), "--greedy");
        AssertCleanFailure(result, 1, "tokenizer.model");
    }

    [Fact]
    public void GreedyWithSamplingOptionsIsAUsageError()
    {
        var result = QqqProcess.Run("generate", "--model", QqqProcess.Shared("models", "stories260K-hf"), "--greedy", "--temperature", "0.5");
        AssertCleanFailure(result, 2, "--greedy cannot be combined");
    }
}
