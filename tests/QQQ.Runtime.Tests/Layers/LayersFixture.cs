using ILGPU;
using ILGPU.Runtime;
using QQQ.Runtime.Devices;
using QQQ.Runtime.Kernels;
using QQQ.Runtime.Kernels.Layers;

namespace QQQ.Runtime.Tests.Layers;

/// <summary>
/// The layer kernels of both formulations, shared by all layer tests: the GPU formulation on a CPU device with one
/// multiprocessor (it starts one OS thread per thread of its largest group), the CPU formulation on the device
/// the runtime opens.
/// </summary>
public sealed class LayersFixture : IDisposable
{
    readonly LayerTarget _gpu = new(ComputeDevice.OpenCpu(1), KernelFormulation.Gpu);
    readonly LayerTarget _cpu = new(ComputeDevice.Open(DeviceKind.Cpu), KernelFormulation.Cpu);

    public LayerTarget this[Formulation formulation] => formulation == Formulation.Gpu ? _gpu : _cpu;

    public void Dispose()
    {
        _gpu.Dispose();
        _cpu.Dispose();
    }
}

/// <summary>One formulation's layer kernels and the accelerator they run on.</summary>
public sealed class LayerTarget : IDisposable
{
    readonly ComputeDevice _device;

    internal LayerTarget(ComputeDevice device, KernelFormulation formulation)
    {
        _device = device;
        Kernels = new LayerKernels(device.Accelerator, formulation);
    }

    public Accelerator Accelerator => _device.Accelerator;
    public LayerKernels Kernels { get; }

    /// <summary>A device buffer holding <paramref name="values"/>.</summary>
    public MemoryBuffer1D<T, Stride1D.Dense> Upload<T>(T[] values) where T : unmanaged => Accelerator.Allocate1D(values);

    /// <summary>An output buffer filled with <paramref name="poison"/>, so unwritten elements are caught.</summary>
    public MemoryBuffer1D<T, Stride1D.Dense> Poisoned<T>(long length, T poison) where T : unmanaged
    {
        var values = new T[length];
        Array.Fill(values, poison);
        return Accelerator.Allocate1D(values);
    }

    public void Dispose()
    {
        Kernels.Dispose();
        _device.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class LayersCollection : ICollectionFixture<LayersFixture>
{
    public const string Name = "Layer kernels";
}
