namespace QQQ.Runtime.Kernels.Layers;

/// <summary>The value each thread of a GPU group holds when it enters a reduction, by thread index in the group.</summary>
internal interface IThreadValues
{
    float Value(int thread);
}

/// <summary>
/// <see cref="GroupReduce"/>'s fp32 sums computed by a single thread, with the same additions in the same tree,
/// so a CPU-formulated kernel gets the bit-identical result of its GPU-formulated twin (warps of 32, as CUDA's).
/// </summary>
internal static class ReplayedReductions
{
    /// <summary>CUDA's warp size, which fixes the shape of the butterfly.</summary>
    public const int WarpSize = 32;

    /// <summary>
    /// <see cref="GroupReduce.WarpSum"/> of threads first .. first + 31. The butterfly (offsets 16, 8, 4, 2, 1,
    /// lane i adding lane i ^ offset) leaves every lane the same value (fp32 addition commutes): the pairwise tree
    /// V16(i) = v(i) + v(i + 16), V8(i) = V16(i) + V16(i + 8), ..., V1(0) = V2(0) + V2(1). Visiting i in 4-bit
    /// reversed order puts the leaves V16 in tree order, so a binary counter of pending left operands rebuilds it.
    /// </summary>
    public static float WarpSum<TValues>(TValues values, int first)
        where TValues : struct, IThreadValues
    {
        float left8 = 0f, left4 = 0f, left2 = 0f, left1 = 0f, result = 0f;
        for (int k = 0; k < 16; k++)
        {
            int i = ((k & 1) << 3) | ((k & 2) << 1) | ((k & 4) >> 1) | ((k & 8) >> 3);
            float v = values.Value(first + i) + values.Value(first + i + 16);
            if ((k & 1) == 0) { left8 = v; continue; }
            v = left8 + v;
            if ((k & 2) == 0) { left4 = v; continue; }
            v = left4 + v;
            if ((k & 4) == 0) { left2 = v; continue; }
            v = left2 + v;
            if ((k & 8) == 0) { left1 = v; continue; }
            result = left1 + v;
        }
        return result;
    }

    /// <summary><see cref="GroupReduce.Sum"/> over a group of <paramref name="warps"/> warps: warp sums added in warp order from 0.</summary>
    public static float GroupSum<TValues>(TValues values, int warps)
        where TValues : struct, IThreadValues
    {
        float total = 0f;
        for (int w = 0; w < warps; w++) total += WarpSum(values, w * WarpSize);
        return total;
    }
}
