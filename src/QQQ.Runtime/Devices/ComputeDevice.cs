using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace QQQ.Runtime.Devices;

/// <summary>
/// An ILGPU context and accelerator chosen by <see cref="DeviceKind"/>; the environment variable
/// <c>QQQ_DEVICE=cuda|cpu</c> overrides <see cref="DeviceKind.Auto"/>. The CPU accelerator emulates an
/// NVIDIA-like device (warp size 32) so kernels written for warps behave the same on both.
/// </summary>
public sealed class ComputeDevice : IDisposable
{
    public const string EnvironmentVariable = "QQQ_DEVICE";

    ComputeDevice(Context context, Accelerator accelerator, DeviceKind kind)
    {
        Context = context;
        Accelerator = accelerator;
        Kind = kind;
    }

    public Context Context { get; }
    public Accelerator Accelerator { get; }

    /// <summary>The device actually chosen: <see cref="DeviceKind.Cpu"/> or <see cref="DeviceKind.Cuda"/>.</summary>
    public DeviceKind Kind { get; }

    public bool IsCuda => Kind == DeviceKind.Cuda;

    public static ComputeDevice Open(DeviceKind requested = DeviceKind.Auto)
    {
        var kind = requested == DeviceKind.Auto ? FromEnvironment() : requested;
        var context = Context.Create(builder => builder
            .CPU(CPUDeviceKind.Nvidia)
            .Cuda()
            .Optimize(OptimizationLevel.O2)
            .EnableAlgorithms());
        try
        {
            var cuda = context.GetCudaDevices();
            if (kind == DeviceKind.Cuda && cuda.Count == 0)
                throw new InvalidOperationException("CUDA was requested but no NVIDIA GPU with a working driver was found");
            if (kind != DeviceKind.Cpu && cuda.Count > 0)
                return new ComputeDevice(context, cuda[0].CreateCudaAccelerator(context), DeviceKind.Cuda);
            return new ComputeDevice(context, context.GetCPUDevice(0).CreateCPUAccelerator(context), DeviceKind.Cpu);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    static DeviceKind FromEnvironment() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim().ToLowerInvariant() switch
        {
            null or "" or "auto" => DeviceKind.Auto,
            "cpu" => DeviceKind.Cpu,
            "cuda" or "gpu" => DeviceKind.Cuda,
            var other => throw new InvalidOperationException($"{EnvironmentVariable}={other} is not one of auto, cpu, cuda"),
        };

    public void Dispose()
    {
        Accelerator.Dispose();
        Context.Dispose();
    }
}
