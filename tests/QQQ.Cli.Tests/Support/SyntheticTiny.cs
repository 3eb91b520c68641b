using QQQ.TestSupport;

namespace QQQ.Cli.Tests.Support;

/// <summary>
/// A tiny per-channel artifact made by <c>qqq synth</c> once per test class: hidden 256, intermediate 688 (not a multiple
/// of 32, so the runtime pads it), 2 layers, 4 heads of 64 over 2 kv heads, vocab 512 with stories260K's tokenizer,
/// context 128.
/// </summary>
public sealed class SyntheticTiny : IDisposable
{
    public const string Shape = "hidden=256,intermediate=688,layers=2,heads=4,kv-heads=2,vocab=512,context=128";
    public const int Context = 128;

    readonly TempFolder _folder = new();

    public SyntheticTiny()
    {
        Path = _folder.File("tiny.qqq");
        var result = Synth(Shape, Path);
        if (result.ExitCode != 0)
        {
            _folder.Dispose();   // xunit does not dispose a fixture whose constructor threw
            throw new InvalidOperationException($"qqq synth failed ({result.ExitCode}): {result.Stderr}");
        }
    }

    public string Path { get; }

    public static QqqProcess.Result Synth(string shape, string output, params string[] extra) =>
        QqqProcess.Run(["synth", "--shape", shape, "--tokenizer", QqqProcess.Shared("models", "stories260K", "tok512.bin"), "--out", output, .. extra]);

    public void Dispose() => _folder.Dispose();
}
