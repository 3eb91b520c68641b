using System.Numerics;

namespace QQQ.Formats.W4A8;

/// <summary>
/// Scalar reference of the W4A8 GEMM: computes bit for bit what the reference kernel computes, from int8
/// activations and one layer's <see cref="QuantizedWeights"/>. The runtime's kernels are tested against it, and
/// the <c>simulate</c> engine runs it.
/// <list type="number">
/// <item>int8 weights as the kernel forms them (<see cref="KernelWeights"/>);</item>
/// <item><c>acc[m, n] = sum_k x_q[m, k] * w8[n, k]</c> in int32 (exact: no overflow for K &lt;= <see cref="MaxInFeatures"/>);</item>
/// <item>epilogue <c>D[m, n] = fp16((float(acc) * s_channel[n]) * s_tok[m])</c>: two fp32 multiplies in that order,
/// each rounded, then round-to-nearest-even to fp16.</item>
/// </list>
/// A bias, if the layer has one, is added by the caller afterwards.
/// </summary>
public sealed class W4A8Simulator
{
    /// <summary>Largest K for which an int32 accumulator of int8 products cannot overflow (K * 128 * 128 &lt; 2^31).</summary>
    public const int MaxInFeatures = int.MaxValue / (128 * 128);

    const int ColumnsPerTask = 64;

    readonly short[] weights;          // (N, K) int8 kernel weights widened to int16 for SIMD
    readonly float[] channelScales;    // (N)

    /// <summary>Expands the layer's int8 kernel weights once; the simulator can then be run many times.</summary>
    public W4A8Simulator(QuantizedWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.InFeatures > MaxInFeatures)
            throw new ArgumentException($"in_features {weights.InFeatures} exceeds {MaxInFeatures}: the int32 accumulator could overflow", nameof(weights));
        OutFeatures = weights.OutFeatures;
        InFeatures = weights.InFeatures;
        this.weights = Widen(KernelWeights.ToInt8(weights));
        channelScales = weights.ChannelScales.ToArray();
    }

    /// <summary>N.</summary>
    public int OutFeatures { get; }

    /// <summary>K.</summary>
    public int InFeatures { get; }

    /// <summary>The kernel's epilogue for one output: <c>fp16((float(acc) * s_channel) * s_tok)</c>.</summary>
    public static Half Epilogue(int accumulator, float channelScale, float tokenScale) =>
        (Half)((float)accumulator * channelScale * tokenScale);

    /// <summary>
    /// <paramref name="activations"/>: (M, K) int8 row-major; <paramref name="tokenScales"/>: (M) fp32.
    /// Returns D: (M, N) fp16 row-major.
    /// </summary>
    public Half[] Multiply(ReadOnlySpan<sbyte> activations, ReadOnlySpan<float> tokenScales)
    {
        var output = new Half[tokenScales.Length * OutFeatures];
        Multiply(activations, tokenScales, output);
        return output;
    }

    /// <summary>As <see cref="Multiply(ReadOnlySpan{sbyte}, ReadOnlySpan{float})"/>, writing D (M, N) into <paramref name="output"/>.</summary>
    public void Multiply(ReadOnlySpan<sbyte> activations, ReadOnlySpan<float> tokenScales, Span<Half> output)
    {
        int rows = tokenScales.Length;
        if (activations.Length != (long)rows * InFeatures)
            throw new ArgumentException($"{activations.Length} activations for ({rows}, {InFeatures})", nameof(activations));
        if (output.Length != (long)rows * OutFeatures)
            throw new ArgumentException($"output has {output.Length} elements, expected ({rows}, {OutFeatures})", nameof(output));
        var x = Widen(activations);
        var scales = tokenScales.ToArray();
        var result = new Half[output.Length];
        int columnBlocks = (OutFeatures + ColumnsPerTask - 1) / ColumnsPerTask;
        Parallel.For(0, rows * columnBlocks, task =>
        {
            int m = task / columnBlocks;
            int firstColumn = task % columnBlocks * ColumnsPerTask;
            var xRow = x.AsSpan(m * InFeatures, InFeatures);
            for (int n = firstColumn; n < Math.Min(firstColumn + ColumnsPerTask, OutFeatures); n++)
            {
                int accumulator = Dot(xRow, weights.AsSpan(n * InFeatures, InFeatures));
                result[m * OutFeatures + n] = Epilogue(accumulator, channelScales[n], scales[m]);
            }
        });
        result.CopyTo(output);
    }

    static short[] Widen(ReadOnlySpan<sbyte> values)
    {
        var widened = new short[values.Length];
        for (int i = 0; i < values.Length; i++)
            widened[i] = values[i];
        return widened;
    }

    static int Dot(ReadOnlySpan<short> a, ReadOnlySpan<short> b)
    {
        var sums = Vector<int>.Zero;
        int i = 0;
        for (; i <= a.Length - Vector<short>.Count; i += Vector<short>.Count)
        {
            Vector.Widen(new Vector<short>(a[i..]), out var aLow, out var aHigh);
            Vector.Widen(new Vector<short>(b[i..]), out var bLow, out var bHigh);
            sums += aLow * bLow + aHigh * bHigh;
        }
        int sum = Vector.Sum(sums);
        for (; i < a.Length; i++)
            sum += a[i] * b[i];
        return sum;
    }
}
