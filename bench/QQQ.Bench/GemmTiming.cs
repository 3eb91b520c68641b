using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using QQQ.Runtime;
using QQQ.Runtime.Devices;
using QQQ.Runtime.Kernels.Gemm;

namespace QQQ.Bench;

/// <summary>
/// W4A8 GEMM times for the RESULTS.md shapes. Weights rotate over copies totalling more than 4x the H100's
/// 50 MiB L2, so they come from HBM as in a real forward pass; each repetition synchronises, times a batch of
/// launches with the host clock (launch overhead included: that is what the runtime pays), and the median
/// of the repetitions is reported. Inputs are random and non-zero. One JSON object per line.
/// </summary>
static class GemmTiming
{
    static readonly (int N, int K)[] Shapes = [(4096, 4096), (11008, 4096)];
    static readonly int[] TokenCounts = [1, 16, 64, 256, 1024];
    const long RotationBytes = 4L * 50 * 1024 * 1024;

    public static int Run(string[] args)
    {
        int reps = int.Parse(Options.Get(args, "reps") ?? "15");
        using var device = ComputeDevice.Open();
        Console.Error.WriteLine($"device: {device.Kind} {device.Accelerator.Name}");
        foreach (var (n, k) in Shapes)
        {
            Time<PerChannel>(device.Accelerator, n, k, reps, "per-channel");
            Time<PerGroup128>(device.Accelerator, n, k, reps, "g128");
        }
        return 0;
    }

    static void Time<TG>(Accelerator accelerator, int n, int k, int reps, string label) where TG : struct, IWeightGranularity
    {
        var random = new Random(n * 31 + k);
        int group = default(TG).GroupSize;
        int copies = (int)Math.Max(2, RotationBytes / ((long)n * k / 2));
        var q = new sbyte[n * k];
        for (int i = 0; i < q.Length; i++) q[i] = (sbyte)(group == 0 ? random.Next(-7, 8) : random.Next(0, 16));
        var channel = Enumerable.Range(0, n).Select(_ => 0.0005f + random.NextSingle() * 0.001f).ToArray();
        var groups = group == 0 ? [] : Enumerable.Range(0, k / group * n).Select(_ => (System.Half)(1f + random.NextSingle() * 14f)).ToArray();
        var weights = Enumerable.Range(0, copies).Select(_ => PackedW4Weights<TG>.Upload(accelerator, q, channel, groups, n, k)).ToArray();
        using var gemm = new W4A8Gemm<TG>(accelerator);
        foreach (int m in TokenCounts)
        {
            var x = new sbyte[m * k];
            for (int i = 0; i < x.Length; i++) x[i] = (sbyte)random.Next(-127, 128);
            using var xBuffer = accelerator.Allocate1D(x);
            using var sBuffer = accelerator.Allocate1D(Enumerable.Range(0, m).Select(_ => 0.01f + random.NextSingle()).ToArray());
            using var output = accelerator.Allocate1D<ILGPU.Half>((long)m * n);
            int launches = Math.Max(copies, 20);
            for (int i = 0; i < copies; i++) gemm.Run(xBuffer.View, sBuffer.View, weights[i], output.View);
            accelerator.Synchronize();
            var times = new double[reps];
            for (int r = 0; r < reps; r++)
            {
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < launches; i++) gemm.Run(xBuffer.View, sBuffer.View, weights[i % copies], output.View);
                accelerator.Synchronize();
                times[r] = clock.Elapsed.TotalMicroseconds / launches;
            }
            Array.Sort(times);
            Console.WriteLine($"{{\"kernel\":\"w4a8\",\"granularity\":\"{label}\",\"n\":{n},\"k\":{k},\"m\":{m},\"us\":{times[reps / 2]:F2}}}");
        }
        foreach (var w in weights) w.Dispose();
    }
}
