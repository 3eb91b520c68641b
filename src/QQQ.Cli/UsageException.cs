namespace QQQ.Cli;

/// <summary>The command line itself is wrong (unknown option, missing value): exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
