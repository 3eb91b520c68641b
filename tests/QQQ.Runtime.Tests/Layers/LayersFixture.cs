using ILGPU;
using ILGPU.Runtime;
using QQQ.Runtime.Devices;
using QQQ.Runtime.Kernels.Layers;

namespace QQQ.Runtime.Tests.Layers;

/// <summary>One CPU accelerator and one set of loaded layer kernels shared by all layer tests.</summary>
public sealed class LayersFixture : IDisposable
{
    public LayersFixture()
    {
        Device = ComputeDevice.Open(DeviceKind.Cpu);
        Kernels = new LayerKernels(Device.Accelerator);
    }

    public ComputeDevice Device { get; }
    public Accelerator Accelerator => Device.Accelerator;
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
        Device.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class LayersCollection : ICollectionFixture<LayersFixture>
{
    public const string Name = "Layer kernels";
}
