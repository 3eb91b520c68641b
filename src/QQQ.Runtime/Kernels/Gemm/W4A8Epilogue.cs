using System.Runtime.CompilerServices;

namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>
/// The W4A8 GEMM epilogue, shared by the scalar reference and every kernel so the float operation order
/// lives in exactly one place: <c>D[m, n] = fp16(((float)acc[m, n] * s_channel[n]) * s_tok[m])</c>,
/// rounded to nearest even.
/// </summary>
public static class W4A8Epilogue
{
    /// <summary>Scales one int32 accumulator to the float value that is then rounded to fp16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Scale(int accumulator, float channelScale, float tokenScale) =>
        (float)accumulator * channelScale * tokenScale;
}
