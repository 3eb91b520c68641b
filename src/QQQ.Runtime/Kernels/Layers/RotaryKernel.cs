using ILGPU;
using ILGPU.Runtime;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// RoPE applied in place to the fp16 q and k that the q/k GEMMs produce, in one launch for both.
/// q: (rows, heads * head_dim), k: (rows, kv_heads * head_dim); row m has position start + m. Each pair
/// is rotated in fp32 with the fp32 tables and rounded back to fp16 (the dtype the KV cache stores).
/// One thread per rotated pair (the CPU formulation: one per token row, see RotaryKernel.Cpu.cs).
/// </summary>
public sealed partial class RotaryKernel
{
    /// <summary>Launches the loaded formulation on (query, key, tables, rows, start, shape, adjacent pairs 0/1).</summary>
    readonly Action<ArrayView<Half>, ArrayView<Half>, RotaryTables, int, int, AttentionShape, int> _launch;

    /// <summary>Loads the kernel on <paramref name="accelerator"/>, in the formulation that suits it.</summary>
    public RotaryKernel(Accelerator accelerator) : this(accelerator, KernelFormulations.For(accelerator)) { }

    internal RotaryKernel(Accelerator accelerator, KernelFormulation formulation)
    {
        if (formulation == KernelFormulation.Cpu)
        {
            var kernel = accelerator.LoadStreamKernel<ArrayView<ushort>, ArrayView<ushort>, ArrayView<float>, ArrayView<float>,
                int, int, int, int, int>(CpuKernel);
            _launch = (query, key, tables, rows, start, shape, adjacent) => kernel(new KernelConfig(rows, 1),
                query.Cast<ushort>(), key.Cast<ushort>(), tables.Cos, tables.Sin, start, shape.Heads, shape.KeyValueHeads, shape.HeadDim, adjacent);
        }
        else
        {
            var kernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<Half>, ArrayView<Half>, ArrayView<float>, ArrayView<float>,
                int, int, int, int, int>(Kernel);
            _launch = (query, key, tables, rows, start, shape, adjacent) =>
            {
                long pairs = (long)rows * (shape.Heads + shape.KeyValueHeads) * (shape.HeadDim / 2);
                kernel(Guard.LaunchSize(pairs, "q and k"), query, key, tables.Cos, tables.Sin, start,
                    shape.Heads, shape.KeyValueHeads, shape.HeadDim, adjacent);
            };
        }
    }

    /// <summary>Rotates rows start .. start + rows - 1 of q and k in place; the tables must cover those positions.</summary>
    public void Apply(ArrayView<Half> query, ArrayView<Half> key, int rows, int start, AttentionShape shape,
        RotaryTables tables, RopeConvention convention)
    {
        Guard.Positive(rows, nameof(rows));
        if (start < 0 || (long)start + rows > tables.Positions)
            throw new ArgumentException($"positions {start} .. {(long)start + rows - 1} lie outside the {tables.Positions} positions of the RoPE tables", nameof(start));
        if (tables.HeadDim != shape.HeadDim)
            throw new ArgumentException($"RoPE tables are for head_dim {tables.HeadDim}, the layer has {shape.HeadDim}", nameof(tables));
        Guard.Length(query, (long)rows * shape.QueryWidth, nameof(query));
        Guard.Length(key, (long)rows * shape.KeyValueWidth, nameof(key));
        if (!Enum.IsDefined(convention)) throw new ArgumentException($"unknown RoPE convention {convention}", nameof(convention));
        _launch(query, key, tables, rows, start, shape, convention == RopeConvention.AdjacentPairs ? 1 : 0);
    }

    // Thread index -> (row, head over q's heads then k's heads, pair i).
    static void Kernel(Index1D index, ArrayView<Half> query, ArrayView<Half> key, ArrayView<float> cos, ArrayView<float> sin,
        int start, int heads, int keyValueHeads, int headDim, int adjacentPairs)
    {
        int half = headDim / 2;
        int pair = index % half;
        int head = index / half % (heads + keyValueHeads);
        int row = index / half / (heads + keyValueHeads);
        int first = adjacentPairs != 0 ? 2 * pair : pair;
        int second = adjacentPairs != 0 ? 2 * pair + 1 : pair + half;
        long table = (long)(start + row) * half + pair;
        float c = cos[table], s = sin[table];
        if (head < heads)
            Rotate(query, (long)row * heads * headDim + head * headDim, first, second, c, s);
        else
            Rotate(key, (long)row * keyValueHeads * headDim + (head - heads) * headDim, first, second, c, s);
    }

    static void Rotate(ArrayView<Half> values, long offset, int first, int second, float cos, float sin)
    {
        float x0 = values[offset + first], x1 = values[offset + second];
        // Rounded to nearest even by hand: ILGPU's float->Half on the CPU accelerator truncates, and the CPU and
        // CUDA paths must produce the same bits.
        var bits = values.Cast<ushort>();
        bits[offset + first] = Gemm.Fp16Bits.FromFloat(x0 * cos - x1 * sin);
        bits[offset + second] = Gemm.Fp16Bits.FromFloat(x1 * cos + x0 * sin);
    }

    /// <summary>
    /// Managed float64 reference for one of q or k: x (rows, heads * head_dim) at positions start + row,
    /// with the fp32 tables of <see cref="RotaryTables.Compute"/> -> output of the same shape.
    /// </summary>
    public static void Reference(ReadOnlySpan<float> x, int heads, int headDim, int start, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin,
        RopeConvention convention, Span<double> output)
    {
        int half = headDim / 2;
        for (int row = 0; row < x.Length / (heads * headDim); row++)
            for (int head = 0; head < heads; head++)
                for (int i = 0; i < half; i++)
                {
                    int offset = (row * heads + head) * headDim;
                    int first = offset + (convention == RopeConvention.AdjacentPairs ? 2 * i : i);
                    int second = offset + (convention == RopeConvention.AdjacentPairs ? 2 * i + 1 : i + half);
                    double c = cos[(start + row) * half + i], s = sin[(start + row) * half + i];
                    output[first] = x[first] * c - x[second] * s;
                    output[second] = x[second] * c + x[first] * s;
                }
    }
}
