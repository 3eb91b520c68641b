using ILGPU;

namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>A lane's A fragments of a warp's 4 m16 tiles (rows 0-15, 16-31, 32-47, 48-63 of the block).</summary>
internal struct AFragments
{
    public AFragment M0, M1, M2, M3;
}

/// <summary>A lane's int8 B fragments of a warp's 4 n8 tiles (columns 0-7, 8-15, 16-23, 24-31 of its column tile).</summary>
internal struct BFragments
{
    public BFragment N0, N1, N2, N3;
}

/// <summary>
/// A lane's share of a warp's 64 x 32 int32 accumulator tile: Cij is the C fragment of m16 tile i and n8 tile j.
/// Written out field by field because ILGPU 1.5.3 does not unroll loops and an indexed register array would
/// land in local memory.
/// </summary>
internal struct WarpAccumulators
{
    public Accumulator C00, C01, C02, C03;
    public Accumulator C10, C11, C12, C13;
    public Accumulator C20, C21, C22, C23;
    public Accumulator C30, C31, C32, C33;

    /// <summary>Stores the 64 ints field-major with stride 32 (one lane's view: the lane's slots are 32 apart, conflict-free).</summary>
    public static void Store(ArrayView<int> lanes, WarpAccumulators acc)
    {
        Store(lanes, 0, acc.C00); Store(lanes, 1, acc.C01); Store(lanes, 2, acc.C02); Store(lanes, 3, acc.C03);
        Store(lanes, 4, acc.C10); Store(lanes, 5, acc.C11); Store(lanes, 6, acc.C12); Store(lanes, 7, acc.C13);
        Store(lanes, 8, acc.C20); Store(lanes, 9, acc.C21); Store(lanes, 10, acc.C22); Store(lanes, 11, acc.C23);
        Store(lanes, 12, acc.C30); Store(lanes, 13, acc.C31); Store(lanes, 14, acc.C32); Store(lanes, 15, acc.C33);
    }

    /// <summary>acc + what <see cref="Store(ArrayView{int}, WarpAccumulators)"/> left at <paramref name="lanes"/>.</summary>
    public static WarpAccumulators Add(WarpAccumulators acc, ArrayView<int> lanes)
    {
        acc.C00 = Add(acc.C00, lanes, 0); acc.C01 = Add(acc.C01, lanes, 1); acc.C02 = Add(acc.C02, lanes, 2); acc.C03 = Add(acc.C03, lanes, 3);
        acc.C10 = Add(acc.C10, lanes, 4); acc.C11 = Add(acc.C11, lanes, 5); acc.C12 = Add(acc.C12, lanes, 6); acc.C13 = Add(acc.C13, lanes, 7);
        acc.C20 = Add(acc.C20, lanes, 8); acc.C21 = Add(acc.C21, lanes, 9); acc.C22 = Add(acc.C22, lanes, 10); acc.C23 = Add(acc.C23, lanes, 11);
        acc.C30 = Add(acc.C30, lanes, 12); acc.C31 = Add(acc.C31, lanes, 13); acc.C32 = Add(acc.C32, lanes, 14); acc.C33 = Add(acc.C33, lanes, 15);
        return acc;
    }

    static void Store(ArrayView<int> lanes, int tile, Accumulator c)
    {
        lanes[(4 * tile) * 32] = c.C0;
        lanes[(4 * tile + 1) * 32] = c.C1;
        lanes[(4 * tile + 2) * 32] = c.C2;
        lanes[(4 * tile + 3) * 32] = c.C3;
    }

    static Accumulator Add(Accumulator c, ArrayView<int> lanes, int tile)
    {
        c.C0 += lanes[(4 * tile) * 32];
        c.C1 += lanes[(4 * tile + 1) * 32];
        c.C2 += lanes[(4 * tile + 2) * 32];
        c.C3 += lanes[(4 * tile + 3) * 32];
        return c;
    }
}
