namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>
/// This project's packed weight layout for the W4A8 kernels (not the QQQ interchange layout). It is built so
/// that one 16-byte load per lane gives a warp exactly the mma.m16n8k32 B fragments of a 32 (N) x 32 (K) tile,
/// and one shift-and-mask (per-channel) or one fp16 fma pass (per-group) turns each word into two int8x4
/// registers.
/// <code>
/// words: int32 (N/32, K/32, 32 lanes, 4), i.e. 512 contiguous bytes per (column tile nt, k-block kb).
///   lane = 4 * g + t (g = lane / 4 in 0..7, t = lane % 4), j in 0..3 picks the n8 sub-tile:
///   the word holds column n = 32 * nt + 8 * j + g; its byte b (0..3) holds
///     low nibble  = q[n, 32 * kb + 4 * t + b]        -> B fragment register 0 (k rows 4t..4t+3)
///     high nibble = q[n, 32 * kb + 16 + 4 * t + b]   -> B fragment register 1 (k rows 16+4t..16+4t+3)
///   Nibbles: per-channel two's complement of q in [-7, 7]; per-group q in [0, 15] (zero point 8).
/// channel scales: fp32 (N), natural order.
/// group scales: fp16 bits (K/G, N/32, 8 g, 4 j) stored as int32 pairs (j0 | j1 &lt;&lt; 16, j2 | j3 &lt;&lt; 16):
///   entry (group, nt, g, j) = s_group[group, 32 * nt + 8 * j + g], so a lane reads its 4 columns' scales
///   in one 8-byte load.
/// </code>
/// Supported shapes: N % 32 == 0, K % 32 == 0 and K % G == 0 (G in {32, 64, 128}).
/// </summary>
internal static class W4A8Layout
{
    /// <summary>int32 words per (column tile, k-block): 32 lanes x 4 words.</summary>
    public const int WordsPerTile = 128;

    /// <summary>Index of the word for (column tile nt, k-block kb, lane, sub-tile j).</summary>
    public static int WordIndex(int nt, int kb, int lane, int j, int kBlocks) =>
        ((nt * kBlocks + kb) * 32 + lane) * 4 + j;

    /// <summary>Packs natural-order q (N, K) into the word layout above.</summary>
    public static int[] PackWords(ReadOnlySpan<sbyte> q, int n, int k)
    {
        int kBlocks = k / W4A8Shapes.KBlock;
        var words = new int[n / W4A8Shapes.ColumnTile * kBlocks * WordsPerTile];
        for (int nt = 0; nt < n / W4A8Shapes.ColumnTile; nt++)
        for (int kb = 0; kb < kBlocks; kb++)
        for (int lane = 0; lane < 32; lane++)
        for (int j = 0; j < 4; j++)
        {
            int g = lane >> 2, t = lane & 3;
            var row = q.Slice((32 * nt + 8 * j + g) * k + 32 * kb, 32);
            int word = 0;
            for (int b = 0; b < 4; b++)
            {
                int low = row[4 * t + b] & 0xF;
                int high = row[16 + 4 * t + b] & 0xF;
                word |= (low | high << 4) << (8 * b);
            }
            words[WordIndex(nt, kb, lane, j, kBlocks)] = word;
        }
        return words;
    }

    /// <summary>Packs natural-order s_group (K/G, N) into the scale layout above.</summary>
    public static int[] PackGroupScales(ReadOnlySpan<Half> groupScales, int n, int k, int groupSize)
    {
        int groups = k / groupSize, tiles = n / W4A8Shapes.ColumnTile;
        var packed = new int[groups * tiles * 8 * 2];
        for (int group = 0; group < groups; group++)
        for (int nt = 0; nt < tiles; nt++)
        for (int g = 0; g < 8; g++)
        {
            var scales = groupScales.Slice(group * n + 32 * nt);
            int at = ((group * tiles + nt) * 8 + g) * 2;
            packed[at] = HalfBits(scales[g]) | HalfBits(scales[8 + g]) << 16;
            packed[at + 1] = HalfBits(scales[16 + g]) | HalfBits(scales[24 + g]) << 16;
        }
        return packed;
    }

    static int HalfBits(Half value) => BitConverter.HalfToUInt16Bits(value);
}
