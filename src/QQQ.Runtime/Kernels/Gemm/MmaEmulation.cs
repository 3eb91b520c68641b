using ILGPU;

namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>
/// mma.sync.m16n8k32.row.col.s32.s8.s8.s32 for the CPU accelerator. The instruction is warp-collective: a
/// lane's C entries need other lanes' A and B registers. Lanes publish their fragments to per-warp shared
/// scratch, and each computes its entries from its neighbours' registers following the PTX ISA fragment
/// layouts (lane = 4g + t; A: R0 = A[g][4t..], R1 = A[g+8][4t..], R2 = A[g][16+4t..], R3 = A[g+8][16+4t..];
/// B: Lo = B[4t..][g], Hi = B[16+4t..][g]; C: C[g][2t], C[g][2t+1], C[g+8][2t], C[g+8][2t+1]). One exchange
/// covers a whole 64 x 32 x 32 warp step, because every warp barrier costs about a millisecond on the CPU.
/// </summary>
internal static class MmaEmulation
{
    /// <summary>Scratch slots per lane: 16 A registers (m-tile i, register r at 4i + r), then 8 B registers (n-tile j: Lo at 16 + 2j, Hi at 17 + 2j).</summary>
    const int SlotsPerLane = 24;

    /// <summary>Ints of shared scratch per warp, slot-major: slot * 32 + lane.</summary>
    public const int ScratchIntsPerWarp = SlotsPerLane * 32;

    public static WarpAccumulators WarpTile(WarpAccumulators acc, AFragments a, BFragments b, ArrayView<int> scratch, int lane)
    {
        Publish(scratch, lane, 0, a.M0);
        Publish(scratch, lane, 1, a.M1);
        Publish(scratch, lane, 2, a.M2);
        Publish(scratch, lane, 3, a.M3);
        Publish(scratch, lane, 0, b.N0);
        Publish(scratch, lane, 1, b.N1);
        Publish(scratch, lane, 2, b.N2);
        Publish(scratch, lane, 3, b.N3);
        Warp.Barrier();

        acc.C00 = Tile(acc.C00, scratch, lane, 0, 0);
        acc.C01 = Tile(acc.C01, scratch, lane, 0, 1);
        acc.C02 = Tile(acc.C02, scratch, lane, 0, 2);
        acc.C03 = Tile(acc.C03, scratch, lane, 0, 3);
        acc.C10 = Tile(acc.C10, scratch, lane, 1, 0);
        acc.C11 = Tile(acc.C11, scratch, lane, 1, 1);
        acc.C12 = Tile(acc.C12, scratch, lane, 1, 2);
        acc.C13 = Tile(acc.C13, scratch, lane, 1, 3);
        acc.C20 = Tile(acc.C20, scratch, lane, 2, 0);
        acc.C21 = Tile(acc.C21, scratch, lane, 2, 1);
        acc.C22 = Tile(acc.C22, scratch, lane, 2, 2);
        acc.C23 = Tile(acc.C23, scratch, lane, 2, 3);
        acc.C30 = Tile(acc.C30, scratch, lane, 3, 0);
        acc.C31 = Tile(acc.C31, scratch, lane, 3, 1);
        acc.C32 = Tile(acc.C32, scratch, lane, 3, 2);
        acc.C33 = Tile(acc.C33, scratch, lane, 3, 3);

        // Nobody may overwrite the scratch with the next step's fragments while others still read it.
        Warp.Barrier();
        return acc;
    }

    static void Publish(ArrayView<int> scratch, int lane, int i, AFragment a)
    {
        scratch[(4 * i) * 32 + lane] = a.R0;
        scratch[(4 * i + 1) * 32 + lane] = a.R1;
        scratch[(4 * i + 2) * 32 + lane] = a.R2;
        scratch[(4 * i + 3) * 32 + lane] = a.R3;
    }

    static void Publish(ArrayView<int> scratch, int lane, int j, BFragment b)
    {
        scratch[(16 + 2 * j) * 32 + lane] = b.Lo;
        scratch[(17 + 2 * j) * 32 + lane] = b.Hi;
    }

    /// <summary>C += A_i * B_j for this lane's four C entries of m16 tile i and n8 tile j.</summary>
    static Accumulator Tile(Accumulator c, ArrayView<int> scratch, int lane, int i, int j)
    {
        int g = lane >> 2, t = lane & 3;
        for (int kt = 0; kt < 4; kt++)
        {
            // Row g's (and g + 8's) k bytes 4kt.. live in lane 4g + kt; column n's in lane 4n + kt.
            int rowLane = 4 * g + kt, col0Lane = 4 * (2 * t) + kt, col1Lane = col0Lane + 4;
            int a0 = scratch[(4 * i) * 32 + rowLane], a1 = scratch[(4 * i + 1) * 32 + rowLane];
            int a2 = scratch[(4 * i + 2) * 32 + rowLane], a3 = scratch[(4 * i + 3) * 32 + rowLane];
            int b0Lo = scratch[(16 + 2 * j) * 32 + col0Lane], b0Hi = scratch[(17 + 2 * j) * 32 + col0Lane];
            int b1Lo = scratch[(16 + 2 * j) * 32 + col1Lane], b1Hi = scratch[(17 + 2 * j) * 32 + col1Lane];
            c.C0 += DeviceOps.Dot4(a0, b0Lo) + DeviceOps.Dot4(a2, b0Hi);
            c.C1 += DeviceOps.Dot4(a0, b1Lo) + DeviceOps.Dot4(a2, b1Hi);
            c.C2 += DeviceOps.Dot4(a1, b0Lo) + DeviceOps.Dot4(a3, b0Hi);
            c.C3 += DeviceOps.Dot4(a1, b1Lo) + DeviceOps.Dot4(a3, b1Hi);
        }
        return c;
    }
}
