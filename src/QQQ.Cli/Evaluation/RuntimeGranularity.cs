using QQQ.Formats;
using QQQ.Runtime;

namespace QQQ.Cli.Evaluation;

/// <summary>Work done with the runtime at one granularity type (QQQModel&lt;TGranularity&gt; and its engines).</summary>
public interface IRuntimeGranularityUser<out TResult>
{
    TResult Use<TGranularity>() where TGranularity : struct, IWeightGranularity;
}

/// <summary>
/// The runtime is generic over the granularity (its GEMM is compiled once per group size); an artifact's manifest
/// group size (-1 per-channel, else 128, 64 or 32) picks the instantiation, here and nowhere else.
/// </summary>
public static class RuntimeGranularity
{
    public static TResult Dispatch<TResult>(string artifactPath, int groupSize, IRuntimeGranularityUser<TResult> user) => groupSize switch
    {
        -1 => user.Use<PerChannel>(),
        128 => user.Use<PerGroup128>(),
        64 => user.Use<PerGroup64>(),
        32 => user.Use<PerGroup32>(),
        _ => throw new ModelFormatException(artifactPath, $"unsupported group size {groupSize}"),
    };
}
