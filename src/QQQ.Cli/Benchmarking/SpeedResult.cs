using QQQ.Runtime.Devices;

namespace QQQ.Cli.Benchmarking;

/// <summary>What <see cref="SpeedBenchmark"/> measured: wall-clock seconds and the token counts they cover.</summary>
public sealed record SpeedResult(DeviceKind Device, double LoadSeconds, int PrefillTokens, double PrefillSeconds, int DecodeTokens, double DecodeSeconds)
{
    public double PrefillTokensPerSecond => PrefillTokens / PrefillSeconds;
    public double DecodeTokensPerSecond => DecodeTokens / DecodeSeconds;
    public double DecodeMillisecondsPerToken => 1000 * DecodeSeconds / DecodeTokens;
}
