namespace QQQ.Cli;

/// <summary>Entry point: dispatches the verb. Filled in by the CLI work.</summary>
public static class CommandLine
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("usage: qqq <eval|generate|quantize|inspect|bench> ...");
        return args.Length == 0 ? 2 : 2;
    }
}
