using System.Text.RegularExpressions;

namespace QQQ.Build.Tests.Infrastructure;

/// <summary>
/// Warnings and errors in the output of a build or of the compiler, in MSBuild's canonical form
/// "origin: warning CODE: text" (csc prints "warning CODE: text" for those without a file). The test apps
/// treat warnings as errors, so a compiler warning shows up as "error CODE".
/// </summary>
internal static partial class Diagnostics
{
    /// <summary>Every warning and error line, once each (MSBuild repeats them in its summary), without the node prefix ("1>").</summary>
    public static IReadOnlyList<string> All(Dotnet.Result run) =>
        run.Lines.Select(line => NodePrefix().Replace(line, "")).Where(line => Diagnostic().IsMatch(line)).Distinct().ToList();

    /// <summary>Errors with <paramref name="code"/>, as MSBuild prints them: "file(line): error CODE: message".</summary>
    public static IReadOnlyList<string> Errors(Dotnet.Result run, string code) =>
        All(run).Where(line => line.Contains($"error {code}:", StringComparison.Ordinal)).ToList();

    /// <summary>
    /// Those that say a generator was not loaded or did not run, or that the QQQ generator reported something.
    /// CS9057: the analyzer was built against a newer Roslyn than the compiler's, so the compiler does not load
    /// it (the generator's Microsoft.CodeAnalysis must be no newer than the SDK's compiler). CS8032, CS8033,
    /// CS8034: it cannot be instantiated, holds no generator, cannot be loaded. CS8784, CS8785: the generator
    /// threw while initializing or generating. QQQ1xx: the generator's own diagnostics.
    /// </summary>
    public static IReadOnlyList<string> FromGenerator(Dotnet.Result run) =>
        All(run).Where(line => GeneratorCode().IsMatch(line)).ToList();

    [GeneratedRegex(@"^\s*(\d+>)?")]
    private static partial Regex NodePrefix();

    [GeneratedRegex(@"\b(warning|error) [A-Z]+\d+:")]
    private static partial Regex Diagnostic();

    [GeneratedRegex(@"\b(warning|error) (CS9057|CS8032|CS8033|CS8034|CS8784|CS8785|QQQ1\d\d):")]
    private static partial Regex GeneratorCode();
}
