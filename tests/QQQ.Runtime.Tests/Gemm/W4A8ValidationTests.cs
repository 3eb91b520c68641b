using ILGPU;
using ILGPU.Runtime;
using QQQ.Runtime.Devices;
using QQQ.Runtime.Kernels.Gemm;
using Half = System.Half;

namespace QQQ.Runtime.Tests.Gemm;

/// <summary>Unsupported shapes, out-of-range values and mismatched buffers fail early with ArgumentException.</summary>
public class W4A8ValidationTests(CpuDeviceFixture fixture) : IClassFixture<CpuDeviceFixture>
{
    [Theory]
    [InlineData(48, 64, "N = 48")]
    [InlineData(64, 48, "K = 48")]
    [InlineData(0, 64, "N = 0")]
    public void UnsupportedPerChannelShapesAreRejected(int n, int k, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => PackedW4Weights<PerChannel>.Upload(
            fixture.Device.Accelerator, new sbyte[Math.Max(n * k, 0)], new float[Math.Max(n, 0)], [], n, k));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void KMustBeAMultipleOfTheGroupSize()
    {
        var error = Assert.Throws<ArgumentException>(() => PackedW4Weights<PerGroup128>.Upload(
            fixture.Device.Accelerator, Enumerable.Repeat((sbyte)8, 32 * 192).ToArray(), new float[32], new Half[32], 32, 192));
        Assert.Contains("group size 128", error.Message);
    }

    [Fact]
    public void ValuesOutOfRangeAreRejected()
    {
        var accelerator = fixture.Device.Accelerator;
        var perChannel = new sbyte[32 * 32];
        perChannel[5] = 8;
        Assert.Contains("[-7, 7]", Assert.Throws<ArgumentException>(() =>
            PackedW4Weights<PerChannel>.Upload(accelerator, perChannel, new float[32], [], 32, 32)).Message);

        var perGroup = new sbyte[32 * 32];
        perGroup[7] = -1;
        Assert.Contains("[0, 15]", Assert.Throws<ArgumentException>(() =>
            PackedW4Weights<PerGroup32>.Upload(accelerator, perGroup, new float[32], Enumerable.Repeat((Half)1, 32).ToArray(), 32, 32)).Message);
    }

    [Fact]
    public void GroupScalesThatOverflowInt8AreRejected()
    {
        // q = 0 gives (0 - 8) * 16 = -128: one past what the int8 conversion may produce.
        var scales = Enumerable.Repeat((Half)1, 32).ToArray();
        scales[3] = (Half)16;
        var error = Assert.Throws<ArgumentException>(() => PackedW4Weights<PerGroup32>.Upload(
            fixture.Device.Accelerator, new sbyte[32 * 32], new float[32], scales, 32, 32));
        Assert.Contains("wider than 127", error.Message);
    }

    [Fact]
    public void ScaleLengthsMustMatch()
    {
        var accelerator = fixture.Device.Accelerator;
        Assert.Throws<ArgumentException>(() => PackedW4Weights<PerChannel>.Upload(accelerator, new sbyte[32 * 32], new float[31], [], 32, 32));
        Assert.Throws<ArgumentException>(() => PackedW4Weights<PerChannel>.Upload(accelerator, new sbyte[32 * 32], new float[32], [(Half)1], 32, 32));
        Assert.Throws<ArgumentException>(() => PackedW4Weights<PerGroup32>.Upload(accelerator, new sbyte[32 * 32], new float[32], new Half[31], 32, 32));
        Assert.Throws<ArgumentException>(() => PackedW4Weights<PerChannel>.Upload(accelerator, new sbyte[32 * 31], new float[32], [], 32, 32));
    }

    [Fact]
    public void RunRejectsMismatchedBuffers()
    {
        var accelerator = fixture.Device.Accelerator;
        var gemm = fixture.Gemm<PerChannel>();
        using var weights = PackedW4Weights<PerChannel>.Upload(accelerator, new sbyte[64 * 32], new float[64], [], 64, 32);
        using var x = accelerator.Allocate1D<sbyte>(2 * 32 + 16);
        using var s = accelerator.Allocate1D<float>(3);
        using var d = accelerator.Allocate1D<ushort>(2 * 64 + 2);
        var x2 = x.View.SubView(0, 2 * 32);
        var s2 = s.View.SubView(0, 2);
        var d2 = ((ArrayView<ushort>)d.View).SubView(0, 2 * 64).Cast<ILGPU.Half>();

        gemm.Run(x2, s2, weights, d2); // the well-formed call
        accelerator.Synchronize();

        Assert.Throws<ArgumentException>(() => gemm.Run(x.View.SubView(0, 2 * 32 + 1), s2, weights, d2));
        Assert.Throws<ArgumentException>(() => gemm.Run(x2, s.View, weights, d2));
        Assert.Throws<ArgumentException>(() => gemm.Run(x2, s2, weights, ((ArrayView<ushort>)d.View).SubView(0, 2 * 64 - 2).Cast<ILGPU.Half>()));
        Assert.Throws<ArgumentException>(() => gemm.Run(x2, s.View.SubView(0, 0), weights, d2));
        Assert.Contains("aligned", Assert.Throws<ArgumentException>(() => gemm.Run(x.View.SubView(8, 2 * 32), s2, weights, d2)).Message);
        Assert.Contains("aligned", Assert.Throws<ArgumentException>(() =>
            gemm.Run(x2, s2, weights, ((ArrayView<ushort>)d.View).SubView(1, 2 * 64).Cast<ILGPU.Half>())).Message);
        using var big = accelerator.Allocate1D<sbyte>(5 * 32);
        using var bigScales = accelerator.Allocate1D<float>(5);
        using var bigOut = accelerator.Allocate1D<ushort>(5 * 64);
        Assert.Contains("at most 4", Assert.Throws<ArgumentException>(() => gemm.Run(
            W4A8GemmKernel.Gemv, big.View, bigScales.View, weights, ((ArrayView<ushort>)bigOut.View).Cast<ILGPU.Half>())).Message);
    }

    [Fact]
    public void WeightsFromAnotherAcceleratorAreRejected()
    {
        using var other = ComputeDevice.Open(DeviceKind.Cpu);
        using var weights = PackedW4Weights<PerChannel>.Upload(other.Accelerator, new sbyte[32 * 32], new float[32], [], 32, 32);
        var accelerator = fixture.Device.Accelerator;
        using var x = accelerator.Allocate1D<sbyte>(32);
        using var s = accelerator.Allocate1D<float>(1);
        using var d = accelerator.Allocate1D<ushort>(32);
        var error = Assert.Throws<ArgumentException>(() =>
            fixture.Gemm<PerChannel>().Run(x.View, s.View, weights, ((ArrayView<ushort>)d.View).Cast<ILGPU.Half>()));
        Assert.Contains("another accelerator", error.Message);
    }

    [Fact]
    public void DisposedWeightsCannotBeUsed()
    {
        var weights = PackedW4Weights<PerChannel>.Upload(fixture.Device.Accelerator, new sbyte[32 * 32], new float[32], [], 32, 32);
        weights.Dispose();
        var accelerator = fixture.Device.Accelerator;
        using var x = accelerator.Allocate1D<sbyte>(32);
        using var s = accelerator.Allocate1D<float>(1);
        using var d = accelerator.Allocate1D<ushort>(32);
        Assert.Throws<ObjectDisposedException>(() =>
            fixture.Gemm<PerChannel>().Run(x.View, s.View, weights, ((ArrayView<ushort>)d.View).Cast<ILGPU.Half>()));
    }

    [Fact]
    public void ReferenceRejectsMismatchedLengths()
    {
        var q = new sbyte[32 * 32];
        var sCh = new float[32];
        Assert.Throws<ArgumentException>(() => W4A8GemmReference.Compute<PerChannel>(new sbyte[31], new float[1], q, sCh, [], 1, 32, 32, new Half[32]));
        Assert.Throws<ArgumentException>(() => W4A8GemmReference.Compute<PerChannel>(new sbyte[32], new float[2], q, sCh, [], 1, 32, 32, new Half[32]));
        Assert.Throws<ArgumentException>(() => W4A8GemmReference.Compute<PerChannel>(new sbyte[32], new float[1], q, sCh, [], 1, 32, 32, new Half[31]));
        Assert.Throws<ArgumentException>(() => W4A8GemmReference.Compute<PerChannel>(new sbyte[32], new float[1], q, sCh, [], 1, 40, 32, new Half[40]));
    }
}
