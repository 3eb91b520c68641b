using ILGPU;
using ILGPU.Runtime;
using QQQ.Runtime.Kernels.Gemm;

namespace QQQ.Runtime.Tests.Gemm;

/// <summary>
/// Every kernel variant on the CPU accelerator (the CUDA kernels with managed stand-ins for the PTX
/// instructions, and the CPU kernel) against the scalar reference, bit for bit on the fp16 output, on fresh
/// random data with the output poisoned with NaN first. Shapes are small but awkward: partial row blocks (17, 33,
/// 70 tokens; 5 for the CPU kernel's blocks of 4), a partial pipeline stage (K = 160), fewer k-blocks than
/// split-K warps (K = 64), a wide block with an idle warp (N = 96), two row blocks (M = 70).
/// </summary>
public class W4A8GemmKernelTests(CpuDeviceFixture fixture) : IClassFixture<CpuDeviceFixture>
{
    /// <summary>Public mirror of the internal <see cref="W4A8GemmKernel"/> for theory data.</summary>
    public enum Variant
    {
        Gemv = W4A8GemmKernel.Gemv,
        SplitKMma = W4A8GemmKernel.SplitKMma,
        WideMma = W4A8GemmKernel.WideMma,
        Cpu = W4A8GemmKernel.Cpu,
    }

    public static TheoryData<Granularity, Variant, int, int, int> Cases()
    {
        var cases = new TheoryData<Granularity, Variant, int, int, int>();
        (Granularity, int N, int K)[] shapes =
        [
            (Granularity.PerChannel, 96, 160),
            (Granularity.PerChannel, 64, 64),
            (Granularity.PerGroup128, 96, 256),
            (Granularity.PerGroup64, 32, 192),
            (Granularity.PerGroup32, 64, 96),
        ];
        foreach (var (granularity, n, k) in shapes)
        {
            foreach (int m in new[] { 1, 3 }) cases.Add(granularity, Variant.Gemv, m, n, k);
            foreach (int m in new[] { 1, 3, 16, 17, 33, 70 })
            {
                cases.Add(granularity, Variant.SplitKMma, m, n, k);
                cases.Add(granularity, Variant.WideMma, m, n, k);
            }
            foreach (int m in new[] { 1, 4, 5, 70 }) cases.Add(granularity, Variant.Cpu, m, n, k);
        }
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void KernelMatchesReferenceBitExactly(Granularity granularity, Variant kernel, int m, int n, int k) =>
        granularity.Run(new Check(fixture, (W4A8GemmKernel)kernel, m, n, k));

    [Theory]
    [InlineData(Granularity.PerChannel, 2), InlineData(Granularity.PerChannel, 40), InlineData(Granularity.PerChannel, 65)]
    [InlineData(Granularity.PerGroup128, 4), InlineData(Granularity.PerGroup128, 5), InlineData(Granularity.PerGroup128, 65)]
    public void PublicRunPicksAKernelAndMatchesReference(Granularity granularity, int m) =>
        granularity.Run(new Check(fixture, null, m, 64, 128));

    sealed class Check(CpuDeviceFixture fixture, W4A8GemmKernel? kernel, int m, int n, int k) : IGranularityTest
    {
        public void Run<TGranularity>() where TGranularity : struct, IWeightGranularity
        {
            var problem = GemmProblem.Create<TGranularity>(m, n, k);
            var expected = problem.Reference<TGranularity>();
            var actual = RunOnCpu<TGranularity>(fixture, problem, kernel);
            for (int i = 0; i < expected.Length; i++)
            {
                ushort want = BitConverter.HalfToUInt16Bits(expected[i]);
                if (want != actual[i])
                {
                    Assert.Fail(
                        $"{kernel?.ToString() ?? "Run"} {typeof(TGranularity).Name} ({problem}): D[{i / n}, {i % n}] = " +
                        $"{BitConverter.UInt16BitsToHalf(actual[i])} (0x{actual[i]:X4}), reference {expected[i]} (0x{want:X4})");
                }
            }
        }
    }

    /// <summary>
    /// Runs the problem on the CPU accelerator into a NaN-poisoned output; returns the raw fp16 bits. The GPU kernels
    /// run on the one-multiprocessor device, the CPU kernel and the public Run on the runtime's.
    /// </summary>
    internal static ushort[] RunOnCpu<TGranularity>(CpuDeviceFixture fixture, GemmProblem problem, W4A8GemmKernel? kernel)
        where TGranularity : struct, IWeightGranularity
    {
        var device = kernel is null or W4A8GemmKernel.Cpu ? fixture.Device : fixture.GpuKernelDevice;
        var accelerator = device.Accelerator;
        using var weights = PackedW4Weights<TGranularity>.Upload(
            accelerator, problem.Weights, problem.ChannelScales, problem.GroupScales, problem.N, problem.K);
        using var x = accelerator.Allocate1D(problem.Activations);
        using var tokenScales = accelerator.Allocate1D(problem.TokenScales);
        using var output = accelerator.Allocate1D(Enumerable.Repeat(BitConverter.HalfToUInt16Bits(System.Half.NaN), problem.M * problem.N).ToArray());
        var outputView = ((ArrayView<ushort>)output.View).Cast<ILGPU.Half>();
        var gemm = fixture.Gemm<TGranularity>(device);
        if (kernel is { } pinned) gemm.Run(pinned, x.View, tokenScales.View, weights, outputView);
        else gemm.Run(x.View, tokenScales.View, weights, outputView);
        accelerator.Synchronize();
        return output.GetAsArray1D();
    }
}
