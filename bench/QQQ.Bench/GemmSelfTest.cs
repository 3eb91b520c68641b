using ILGPU;
using ILGPU.Runtime;
using QQQ.Formats;
using QQQ.Formats.W4A8;
using QQQ.Runtime;
using QQQ.Runtime.Kernels.Gemm;
using Half = System.Half;

namespace QQQ.Bench;

/// <summary>
/// On the selected device: every GEMM path (GEMV, split-K mma, wide mma, chosen by M) against the managed
/// scalar reference, bit for bit, on fresh random data with NaN-poisoned outputs; then the reference kernel's
/// outputs d_mM from the QQQ reference vectors.
/// </summary>
static class GemmSelfTest
{
    static readonly int[] TokenCounts = [1, 2, 4, 5, 16, 17, 33, 64, 65, 130, 256];
    static readonly (int N, int K)[] Shapes = [(96, 256), (512, 1024), (4096, 4096)];

    /// <summary>Runs the checks on <paramref name="accelerator"/> (the reference vectors from --vectors) and returns the failures.</summary>
    public static int Run(Accelerator accelerator, string[] args)
    {
        int failures = Check<PerChannel>(accelerator) + Check<PerGroup128>(accelerator);
        if (Options.Get(args, "vectors") is { } folder) failures += Vectors(accelerator, folder);
        return failures;
    }

    static int Check<TG>(Accelerator accelerator) where TG : struct, IWeightGranularity
    {
        int failures = 0, group = default(TG).GroupSize;
        using var gemm = new W4A8Gemm<TG>(accelerator);
        foreach (var (n, k) in Shapes)
        {
            int seed = Random.Shared.Next();
            var random = new Random(seed);
            var q = new sbyte[n * k];
            for (int i = 0; i < q.Length; i++) q[i] = (sbyte)(group == 0 ? random.Next(-7, 8) : random.Next(0, 16));
            var channel = Enumerable.Range(0, n).Select(_ => 0.0005f + random.NextSingle() * 0.001f).ToArray();
            var groups = group == 0 ? [] : Enumerable.Range(0, k / group * n).Select(_ => (Half)(1f + random.NextSingle() * 14f)).ToArray();
            using var weights = PackedW4Weights<TG>.Upload(accelerator, q, channel, groups, n, k);
            foreach (int m in TokenCounts)
            {
                if ((long)m * n * k > 2_000_000_000L / 8) continue;   // keep the managed reference quick
                var x = new sbyte[m * k];
                for (int i = 0; i < x.Length; i++) x[i] = (sbyte)random.Next(-128, 128);
                var s = Enumerable.Range(0, m).Select(_ => 0.01f + random.NextSingle()).ToArray();
                var expected = new Half[m * n];
                W4A8GemmReference.Compute<TG>(x, s, q, channel, groups, m, n, k, expected);
                using var xBuffer = accelerator.Allocate1D(x);
                using var sBuffer = accelerator.Allocate1D(s);
                using var output = accelerator.Allocate1D(Enumerable.Repeat(ILGPU.Half.NaN, m * n).ToArray());
                gemm.Run(xBuffer.View, sBuffer.View, weights, output.View);
                accelerator.Synchronize();
                var actual = output.GetAsArray1D();
                int wrong = 0;
                for (int i = 0; i < actual.Length; i++)
                    if (BitConverter.HalfToUInt16Bits((Half)(float)actual[i]) != BitConverter.HalfToUInt16Bits(expected[i])) wrong++;
                if (wrong > 0) failures++;
                Console.WriteLine($"{(wrong == 0 ? "ok  " : "FAIL")} {typeof(TG).Name,-11} M={m,-4} N={n,-5} K={k,-5} wrong={wrong} seed={seed}");
            }
        }
        return failures;
    }

    static int Vectors(Accelerator accelerator, string folder)
    {
        int failures = 0;
        foreach (var path in Directory.GetFiles(folder, "qqq_ref_*.safetensors").Order(StringComparer.Ordinal))
        {
            using var file = SafetensorsFile.Open(path);
            var b = file.GetInfo("B");
            int n = b.Shape[1] / 2, k = b.Shape[0] * 16;
            bool grouped = file.Contains("s_group");
            var packed = new ReferencePackedWeights(n, k, Cast<int>(file, "B"), Cast<float>(file, "s_channel"), grouped ? Cast<Half>(file, "s_group") : []);
            var weights = ReferenceLayout.Unpack(packed);
            failures += grouped ? VectorCase<PerGroup128>(accelerator, file, weights, path) : VectorCase<PerChannel>(accelerator, file, weights, path);
        }
        return failures;
    }

    static int VectorCase<TG>(Accelerator accelerator, SafetensorsFile file, QuantizedWeights w, string path) where TG : struct, IWeightGranularity
    {
        int failures = 0;
        using var gemm = new W4A8Gemm<TG>(accelerator);
        using var packed = PackedW4Weights<TG>.Upload(accelerator, w.Codes, w.ChannelScales, w.GroupScales, w.OutFeatures, w.InFeatures);
        foreach (int m in new[] { 1, 7, 16, 33, 130 })
        {
            using var x = accelerator.Allocate1D(Cast<sbyte>(file, $"xq_m{m}"));
            using var s = accelerator.Allocate1D(Cast<float>(file, $"s_tok_m{m}"));
            using var output = accelerator.Allocate1D(Enumerable.Repeat(ILGPU.Half.NaN, m * w.OutFeatures).ToArray());
            gemm.Run(x.View, s.View, packed, output.View);
            accelerator.Synchronize();
            var expected = Cast<ushort>(file, $"d_m{m}");
            var actual = output.GetAsArray1D();
            int wrong = Enumerable.Range(0, expected.Length).Count(i => BitConverter.HalfToUInt16Bits((Half)(float)actual[i]) != expected[i]);
            if (wrong > 0) failures++;
            Console.WriteLine($"{(wrong == 0 ? "ok  " : "FAIL")} vectors {Path.GetFileName(path)} M={m} wrong={wrong}");
        }
        return failures;
    }

    static T[] Cast<T>(SafetensorsFile file, string name) where T : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(file.GetBytes(name)).ToArray();
}
