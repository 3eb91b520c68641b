using QQQ.Runtime.Devices;
using QQQ.Runtime.Kernels.Gemm;

namespace QQQ.Runtime.Tests.Gemm;

/// <summary>
/// Two CPU accelerators shared by a test class, each with one loaded <see cref="W4A8Gemm{TGranularity}"/> per
/// granularity: the device the runtime opens (the CPU kernel, the public Run) and one with a single
/// multiprocessor for the GPU kernels (a multiprocessor starts one OS thread per thread of its largest group).
/// </summary>
public sealed class CpuDeviceFixture : IDisposable
{
    readonly Dictionary<(ComputeDevice, Type), IDisposable> gemms = [];
    readonly Lazy<ComputeDevice> gpuKernelDevice = new(() => ComputeDevice.OpenCpu(1));

    public ComputeDevice Device { get; } = ComputeDevice.Open(DeviceKind.Cpu);

    public ComputeDevice GpuKernelDevice => gpuKernelDevice.Value;

    public W4A8Gemm<TGranularity> Gemm<TGranularity>()
        where TGranularity : struct, IWeightGranularity => Gemm<TGranularity>(Device);

    public W4A8Gemm<TGranularity> Gemm<TGranularity>(ComputeDevice device)
        where TGranularity : struct, IWeightGranularity
    {
        lock (gemms)
        {
            if (!gemms.TryGetValue((device, typeof(TGranularity)), out var gemm))
                gemms[(device, typeof(TGranularity))] = gemm = new W4A8Gemm<TGranularity>(device.Accelerator);
            return (W4A8Gemm<TGranularity>)gemm;
        }
    }

    public void Dispose()
    {
        foreach (var gemm in gemms.Values) gemm.Dispose();
        Device.Dispose();
        if (gpuKernelDevice.IsValueCreated) gpuKernelDevice.Value.Dispose();
    }
}
