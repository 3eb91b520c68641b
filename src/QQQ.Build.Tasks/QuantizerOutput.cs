namespace QQQ.Build.Tasks;

/// <summary>What a line that <c>qqq quantize</c> printed means for the build log.</summary>
internal enum LineKind
{
    /// <summary>Progress (the start, one line per layer, the file written): worth seeing in a CI log.</summary>
    Progress,
    /// <summary>The usage text printed after a command-line error: noise in a build log.</summary>
    Detail,
    /// <summary>An error to report with <see cref="QuantizerLine.Code"/>.</summary>
    Error,
}

internal readonly record struct QuantizerLine(LineKind Kind, string Text, string? Code = null);

/// <summary>
/// Classifies the quantizer's stderr, line by line, following the CLI's contract (src/QQQ.Cli/CommandLine.cs):
/// <c>qqq: error: &lt;file&gt;: &lt;problem&gt;</c> for bad input (exit 1; a group size that does not divide the
/// model's dimensions is one), <c>qqq: &lt;message&gt;</c> then the usage
/// text for a rejected option (exit 2), <c>qqq: internal error: ...</c> for a bug (exit 70) and
/// <c>qqq: cancelled; ...</c> when stopped (exit 130). Anything else is progress.
/// </summary>
internal sealed class QuantizerOutput
{
    const string Prefix = "qqq: ";
    bool _inUsage;

    public QuantizerLine Classify(string line)
    {
        if (_inUsage || line.StartsWith("usage:", StringComparison.Ordinal))
        {
            // The usage text runs to the end of the output.
            _inUsage = true;
            return new QuantizerLine(LineKind.Detail, line);
        }
        if (!line.StartsWith(Prefix, StringComparison.Ordinal)) return new QuantizerLine(LineKind.Progress, line);
        var message = line[Prefix.Length..];
        // The one problem a user fixes in the item's metadata rather than in a file, whichever way the CLI reports it.
        if (message.Contains(GroupSizePhrase, StringComparison.Ordinal))
            return new QuantizerLine(LineKind.Error, Unprefixed(message, "error: "), ErrorCodes.GroupSizeDoesNotDivide);
        if (message.StartsWith("error: ", StringComparison.Ordinal))
            return new QuantizerLine(LineKind.Error, "the quantizer cannot use an input: " + message["error: ".Length..], ErrorCodes.InputRejected);
        if (message.StartsWith("internal error: ", StringComparison.Ordinal))
            return new QuantizerLine(LineKind.Error, "the quantizer failed: " + message["internal error: ".Length..], ErrorCodes.QuantizerFailed);
        if (message.StartsWith("cancelled", StringComparison.Ordinal))
            return new QuantizerLine(LineKind.Progress, line);
        return new QuantizerLine(LineKind.Error, message, OptionCode(message));
    }

    const string GroupSizePhrase = "divisible by the group size";

    /// <summary>The CLI rejects options it cannot apply; name the metadata to change where it can be told.</summary>
    static string OptionCode(string message) =>
        message.StartsWith("--group-size", StringComparison.Ordinal) ? ErrorCodes.InvalidGroupSize : ErrorCodes.OptionsRejected;

    static string Unprefixed(string text, string prefix) => text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text;
}
