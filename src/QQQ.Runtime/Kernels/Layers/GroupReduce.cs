using ILGPU;
using ILGPU.Algorithms;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// Warp and group reductions for explicitly grouped kernels. Warp shuffles work on CUDA and on the CPU
/// accelerator (which emulates warps of 32 with <c>CPUDeviceKind.Nvidia</c>); no inline PTX.
/// Group sizes must be a multiple of the warp size and hold at most <see cref="MaxWarps"/> warps.
/// </summary>
static class GroupReduce
{
    /// <summary>Length of the shared scratch the group reductions need (one slot per warp).</summary>
    public const int MaxWarps = 32;

    /// <summary>Sum over the warp (butterfly), returned to every lane.</summary>
    public static float WarpSum(float value)
    {
        for (int offset = Warp.WarpSize / 2; offset > 0; offset >>= 1)
            value += Warp.ShuffleXor(value, offset);
        return value;
    }

    /// <summary>Maximum over the warp, returned to every lane.</summary>
    public static float WarpMax(float value)
    {
        for (int offset = Warp.WarpSize / 2; offset > 0; offset >>= 1)
            value = XMath.Max(value, Warp.ShuffleXor(value, offset));
        return value;
    }

    /// <summary>Sum over the group, returned to every thread (all threads add the warp partials in the same order).</summary>
    public static float Sum(float value, ArrayView<float> scratch)
    {
        value = WarpSum(value);
        if (Warp.IsFirstLane) scratch[Warp.WarpIdx] = value;
        Group.Barrier();
        float total = 0f;
        for (int w = 0; w < Group.DimX / Warp.WarpSize; w++) total += scratch[w];
        Group.Barrier();   // scratch may be reused right after
        return total;
    }

    /// <summary>Maximum over the group, returned to every thread.</summary>
    public static float Max(float value, ArrayView<float> scratch)
    {
        value = WarpMax(value);
        if (Warp.IsFirstLane) scratch[Warp.WarpIdx] = value;
        Group.Barrier();
        float result = scratch[0];
        for (int w = 1; w < Group.DimX / Warp.WarpSize; w++) result = XMath.Max(result, scratch[w]);
        Group.Barrier();
        return result;
    }
}
