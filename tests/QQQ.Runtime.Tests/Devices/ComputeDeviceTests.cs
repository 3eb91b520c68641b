using ILGPU;
using ILGPU.Runtime;
using QQQ.Runtime.Devices;

namespace QQQ.Runtime.Tests.Devices;

[Collection(EnvironmentCollection.Name)]
public class ComputeDeviceTests
{
    [Fact]
    public void CpuAcceleratorHasWarpsOf32AndOneMultiprocessorPerCoreAndRunsKernels()
    {
        using var device = ComputeDevice.Open(DeviceKind.Cpu);
        Assert.Equal(DeviceKind.Cpu, device.Kind);
        Assert.Equal(32, device.Accelerator.WarpSize);
        Assert.Equal(Environment.ProcessorCount, device.Accelerator.NumMultiprocessors);

        var input = QQQ.TestSupport.Numerics.RandomNonZero(new Random(), 1000);
        using var buffer = device.Accelerator.Allocate1D(input);
        using var output = device.Accelerator.Allocate1D<float>(input.Length);
        output.MemSetToZero();
        var kernel = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(
            (i, x, y) => y[i] = x[i] * x[i] + 1f);
        kernel(input.Length, buffer.View, output.View);
        var actual = output.GetAsArray1D();
        for (int i = 0; i < input.Length; i++) Assert.Equal(input[i] * input[i] + 1f, actual[i]);
    }

    [Fact]
    public void UnknownDeviceInEnvironmentIsAClearError()
    {
        var previous = Environment.GetEnvironmentVariable(ComputeDevice.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(ComputeDevice.EnvironmentVariable, "tpu");
            var error = Assert.Throws<InvalidOperationException>(() => ComputeDevice.Open());
            Assert.Contains("QQQ_DEVICE=tpu", error.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ComputeDevice.EnvironmentVariable, previous);
        }
    }
}
