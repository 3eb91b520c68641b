using ILGPU;

namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>
/// Everything a W4A8 kernel reads, passed as one struct so every kernel variant shares one launcher type.
/// Shapes are those of <see cref="W4A8Layout"/>; M is the token count.
/// </summary>
internal struct GemmArguments
{
    /// <summary>x_q (M, K) int8, viewed as int32 words: (M, K / 4).</summary>
    public ArrayView<int> Activations;

    /// <summary>s_tok (M) fp32.</summary>
    public ArrayView<float> TokenScales;

    /// <summary>Packed 4-bit weights (N/32, K/32, 32, 4) int32.</summary>
    public ArrayView<int> Words;

    /// <summary>s_channel (N) fp32.</summary>
    public ArrayView<float> ChannelScales;

    /// <summary>Packed fp16 group scales (K/G, N/32, 8, 2) int32; a one-element placeholder for per-channel.</summary>
    public ArrayView<int> GroupScales;

    /// <summary>D (M, N) fp16, viewed as int32 pairs of adjacent columns: (M, N / 2).</summary>
    public ArrayView<int> Output;

    /// <summary>Device address of <see cref="Activations"/> for cp.async (ILGPU views expose no address in kernels).</summary>
    public long ActivationsAddress;

    public int M;
    public int N;
    public int K;
}

/// <summary>16 bytes; ILGPU turns a load of it into one ld.global.v4.b32.</summary>
internal struct Int4x32
{
    public int X, Y, Z, W;
}

/// <summary>8 bytes; one ld.global.v2.b32.</summary>
internal struct Int2x32
{
    public int X, Y;
}

/// <summary>One mma.m16n8 C fragment of a lane (g = lane / 4, t = lane % 4): C[g][2t], C[g][2t+1], C[g+8][2t], C[g+8][2t+1].</summary>
internal struct Accumulator
{
    public int C0, C1, C2, C3;
}

/// <summary>A fragment (16 x 32 int8, row-major) of a lane: A[g][4t..], A[g+8][4t..], A[g][16+4t..], A[g+8][16+4t..].</summary>
internal struct AFragment
{
    public int R0, R1, R2, R3;
}

/// <summary>B fragment (32 x 8 int8, column-major) of a lane, column g: Lo = B[4t..4t+3][g], Hi = B[16+4t..16+4t+3][g].</summary>
internal struct BFragment
{
    public int Lo, Hi;
}
