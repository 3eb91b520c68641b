using QQQ.Runtime.Kernels.Gemm;

namespace QQQ.Runtime.Tests.Gemm;

/// <summary>Granularities by name, so theories can pick the generic instantiation from inline data.</summary>
public enum Granularity
{
    PerChannel,
    PerGroup128,
    PerGroup64,
    PerGroup32,
}

/// <summary>Calls a generic test body with the granularity type a <see cref="Granularity"/> names.</summary>
internal interface IGranularityTest
{
    void Run<TGranularity>() where TGranularity : struct, IWeightGranularity;
}

internal static class GranularityDispatch
{
    public static void Run(this Granularity granularity, IGranularityTest test)
    {
        switch (granularity)
        {
            case Granularity.PerChannel: test.Run<PerChannel>(); break;
            case Granularity.PerGroup128: test.Run<PerGroup128>(); break;
            case Granularity.PerGroup64: test.Run<PerGroup64>(); break;
            case Granularity.PerGroup32: test.Run<PerGroup32>(); break;
            default: throw new ArgumentOutOfRangeException(nameof(granularity));
        }
    }
}
