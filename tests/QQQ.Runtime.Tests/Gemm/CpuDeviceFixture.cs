using QQQ.Runtime.Devices;
using QQQ.Runtime.Kernels.Gemm;

namespace QQQ.Runtime.Tests.Gemm;

/// <summary>One CPU accelerator and one loaded <see cref="W4A8Gemm{TGranularity}"/> per granularity, shared by a test class.</summary>
public sealed class CpuDeviceFixture : IDisposable
{
    readonly Dictionary<Type, IDisposable> gemms = [];

    public ComputeDevice Device { get; } = ComputeDevice.Open(DeviceKind.Cpu);

    public W4A8Gemm<TGranularity> Gemm<TGranularity>()
        where TGranularity : struct, IWeightGranularity
    {
        lock (gemms)
        {
            if (!gemms.TryGetValue(typeof(TGranularity), out var gemm))
                gemms[typeof(TGranularity)] = gemm = new W4A8Gemm<TGranularity>(Device.Accelerator);
            return (W4A8Gemm<TGranularity>)gemm;
        }
    }

    public void Dispose()
    {
        foreach (var gemm in gemms.Values) gemm.Dispose();
        Device.Dispose();
    }
}
