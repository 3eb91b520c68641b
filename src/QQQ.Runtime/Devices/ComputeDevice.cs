using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace QQQ.Runtime.Devices;

/// <summary>
/// An ILGPU context and accelerator chosen by <see cref="DeviceKind"/>; the environment variable
/// <c>QQQ_DEVICE=cuda|cpu</c> overrides <see cref="DeviceKind.Auto"/>.
/// The CPU accelerator runs every kernel thread as an OS thread and every barrier or warp shuffle as a
/// thread rendezvous, so kernels written for GPU warps crawl there; the runtime gives it kernels of one
/// thread per group instead (<see cref="Kernels.KernelFormulation.Cpu"/>). It keeps warps of 32 (kernels written
/// for warps still run, as tests do) and simulates one multiprocessor per core: groups of a launch are split
/// between them, and a group of one thread starts one OS thread per multiprocessor.
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

    /// <summary>Warp size of the CPU accelerator: CUDA's, so warp-level kernels compute the same there.</summary>
    public const int CpuWarpSize = 32;

    /// <summary>Largest CPU group: 32 warps of 32, as on CUDA (only kernels written for GPUs use groups above 1).</summary>
    const int CpuWarpsPerMultiprocessor = 32;

    public static ComputeDevice Open(DeviceKind requested = DeviceKind.Auto)
    {
        var kind = requested == DeviceKind.Auto ? FromEnvironment() : requested;
        return Open(kind, Environment.ProcessorCount);
    }

    /// <summary>
    /// A CPU device with <paramref name="multiprocessors"/> simulated multiprocessors. Tests run GPU-formulated
    /// kernels on one (each multiprocessor starts as many OS threads as the largest group it has run).
    /// </summary>
    internal static ComputeDevice OpenCpu(int multiprocessors) => Open(DeviceKind.Cpu, multiprocessors);

    static ComputeDevice Open(DeviceKind kind, int cpuMultiprocessors)
    {
        var cpu = new CPUDevice(CpuWarpSize, CpuWarpsPerMultiprocessor, Math.Max(1, cpuMultiprocessors));
        var context = Context.Create(builder => builder
            .CPU(cpu)
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
            // Parallel always: Auto would switch to the sequential simulation whenever a debugger is attached, a mode
            // nothing here is measured or tested in.
            return new ComputeDevice(context, cpu.CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel), DeviceKind.Cpu);
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
