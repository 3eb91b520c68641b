using ILGPU;
using ILGPU.Runtime;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// RoPE cos/sin tables (positions, head_dim / 2) in fp32 on the device, computed on the host exactly as
/// transformers does in float32: inv_freq[i] = 1 / theta^(2i / d), angle = position * inv_freq[i], then
/// cos and sin of the fp32 angle. (HF casts the tables to the model dtype before use; this runtime keeps
/// them fp32 and rotates in fp32, as the FP32 reference forward pass does.)
/// </summary>
public sealed class RotaryTables : IDisposable
{
    readonly MemoryBuffer1D<float, Stride1D.Dense> _cos;
    readonly MemoryBuffer1D<float, Stride1D.Dense> _sin;

    /// <summary>Uploads the tables for positions 0 .. <paramref name="positions"/> - 1.</summary>
    public RotaryTables(Accelerator accelerator, int positions, int headDim, float theta)
    {
        var (cos, sin) = Compute(positions, headDim, theta);
        Positions = positions;
        HeadDim = headDim;
        _cos = accelerator.Allocate1D(cos);
        try
        {
            _sin = accelerator.Allocate1D(sin);
        }
        catch
        {
            _cos.Dispose();
            throw;
        }
    }

    /// <summary>Positions covered: 0 .. Positions - 1.</summary>
    public int Positions { get; }

    /// <summary>Head dimension the tables were made for.</summary>
    public int HeadDim { get; }

    /// <summary>cos(angle) as (positions, head_dim / 2).</summary>
    public ArrayView<float> Cos => _cos.View;

    /// <summary>sin(angle) as (positions, head_dim / 2).</summary>
    public ArrayView<float> Sin => _sin.View;

    /// <summary>The host tables, each (positions, head_dim / 2) row-major.</summary>
    public static (float[] Cos, float[] Sin) Compute(int positions, int headDim, float theta)
    {
        Guard.Positive(positions, nameof(positions));
        Guard.Positive(headDim, nameof(headDim));
        if (headDim % 2 != 0) throw new ArgumentException($"head_dim {headDim} must be even", nameof(headDim));
        if (!(theta > 0f) || !float.IsFinite(theta)) throw new ArgumentException($"theta must be a positive number, got {theta}", nameof(theta));
        int half = headDim / 2;
        var inverseFrequency = new float[half];
        for (int i = 0; i < half; i++)
            inverseFrequency[i] = 1f / MathF.Pow(theta, (float)(2 * i) / headDim);   // every step in float32, as torch
        var cos = new float[(long)positions * half];
        var sin = new float[cos.Length];
        for (int p = 0; p < positions; p++)
            for (int i = 0; i < half; i++)
            {
                float angle = p * inverseFrequency[i];
                cos[p * half + i] = MathF.Cos(angle);
                sin[p * half + i] = MathF.Sin(angle);
            }
        return (cos, sin);
    }

    /// <summary>Frees both tables.</summary>
    public void Dispose()
    {
        _cos.Dispose();
        _sin.Dispose();
    }
}
