using System.Text.Json;
using QQQ.TestSupport;

namespace QQQ.Build.Tests.Infrastructure;

/// <summary>stories260K's greedy story from BOS, as recorded in ../shared (the float model's output).</summary>
internal static class ReferenceText
{
    public static string Stories260K()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.Stories260KHf, "reference.json")));
        return reference.RootElement.GetProperty("greedy_from_bos").GetProperty("text").GetString()!;
    }

    /// <summary>Its first sentence: what the first greedy tokens of the quantized model print, even with the tests' small calibration.</summary>
    public const string Opening = "Once upon a time, there was a little girl named Lily.";

    /// <summary>Enough tokens for <see cref="Opening"/> (15 with stories260K's tokenizer).</summary>
    public const int OpeningTokens = 16;
}
