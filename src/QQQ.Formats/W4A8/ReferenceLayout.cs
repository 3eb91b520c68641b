namespace QQQ.Formats.W4A8;

/// <summary>
/// The reference QQQ kernel's packed layout (method section 5) and its exact inverse. Codes (N, K) are taken as
/// the transposed matrix w (K, N), then:
/// <list type="number">
/// <item>cut into 16x16 tiles: <c>w.reshape(K/16, 16, N/16, 16).permute(0, 2, 1, 3).reshape(K/16, 16N)</c>;</item>
/// <item>every 1024-value chunk (4 tiles) of a row reordered by the tensor-core fragment permutation, whose
/// 8-value interleave differs per granularity;</item>
/// <item>8 consecutive values per int32, value i in bits 4i..4i+3 (per-channel two's complement, per-group 0..15).</item>
/// </list>
/// Scales: <c>s_channel</c> is permuted within 32-column blocks by <c>scale_perm_single</c> (per-channel and per-group
/// alike), <c>s_group</c> within 64-column blocks by <c>scale_perm</c>. Limits: K % 128 == 0, N % 64 == 0, per-channel or
/// group size 128.
/// </summary>
public static class ReferenceLayout
{
    /// <summary>The only group size the reference layout has.</summary>
    public const int GroupSize = 128;

    const int Tile = 16;
    const int ChunkValues = 1024;
    const int ValuesPerWord = 8;

    // Source of each value of a 1024-chunk: (row within the tile, column within the chunk's 64 columns).
    static readonly (int Row, int Column)[] PerChannelSources = ChunkSources([4, 0, 5, 1, 6, 2, 7, 3]);
    static readonly (int Row, int Column)[] PerGroupSources = ChunkSources([0, 2, 4, 6, 1, 3, 5, 7]);

    // scale_perm (64) and scale_perm_single (32): stored[j] = natural[perm[j]] within each block.
    static readonly int[] GroupScalePermutation = [.. from i in Enumerable.Range(0, 8) from j in Enumerable.Range(0, 8) select i + 8 * j];
    static readonly int[] ChannelScalePermutation =
        [.. from i in Enumerable.Range(0, 4) from j in new[] { 0, 1, 8, 9, 16, 17, 24, 25 } select 2 * i + j];

    /// <summary>Packs a layer into the reference layout (bit-exact with the reference's <c>QuantLinear.pack</c>).</summary>
    public static ReferencePackedWeights Pack(QuantizedWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        int n = weights.OutFeatures, k = weights.InFeatures;
        CheckShape(n, k);
        var sources = SourcesFor(weights.Granularity);
        var codes = weights.Codes;
        var b = new int[k / Tile * 2 * n];
        for (int position = 0; position < codes.Length; position++)
            b[position / ValuesPerWord] |= (codes[CodeIndex(position, n, k, sources)] & 0xF) << (4 * (position % ValuesPerWord));
        var channelScales = Permute(weights.ChannelScales, ChannelScalePermutation, toStored: true);
        var groupScales = Permute(weights.GroupScales, GroupScalePermutation, toStored: true);
        return new ReferencePackedWeights(n, k, b, channelScales, groupScales);
    }

    /// <summary>Unpacks the reference layout back to codes and scales in natural order (the exact inverse of <see cref="Pack"/>).</summary>
    public static QuantizedWeights Unpack(ReferencePackedWeights packed)
    {
        ArgumentNullException.ThrowIfNull(packed);
        int n = packed.OutFeatures, k = packed.InFeatures;
        var granularity = packed.Granularity;
        bool perGroup = granularity is PerGroupGranularity;
        var sources = SourcesFor(granularity);
        var b = packed.B;
        var codes = new sbyte[n * k];
        for (int position = 0; position < codes.Length; position++)
        {
            int value = (b[position / ValuesPerWord] >> (4 * (position % ValuesPerWord))) & 0xF;
            codes[CodeIndex(position, n, k, sources)] = (sbyte)(perGroup ? value : (value ^ 8) - 8);
        }
        var channelScales = Permute(packed.ChannelScales, ChannelScalePermutation, toStored: false);
        var groupScales = Permute(packed.GroupScales, GroupScalePermutation, toStored: false);
        return new QuantizedWeights(granularity, n, k, codes, channelScales, groupScales);
    }

    internal static void CheckShape(int outFeatures, int inFeatures)
    {
        if (inFeatures <= 0 || inFeatures % GroupSize != 0)
            throw new ArgumentException($"the reference layout needs in_features % {GroupSize} == 0, got {inFeatures}", nameof(inFeatures));
        if (outFeatures <= 0 || outFeatures % 64 != 0)
            throw new ArgumentException($"the reference layout needs out_features % 64 == 0, got {outFeatures}", nameof(outFeatures));
    }

    static (int Row, int Column)[] SourcesFor(Granularity granularity) => granularity switch
    {
        PerChannelGranularity => PerChannelSources,
        PerGroupGranularity { GroupSize: GroupSize } => PerGroupSources,
        _ => throw new ArgumentException($"the reference layout supports per-channel and group {GroupSize} weights, not {granularity}", nameof(granularity)),
    };

    // Index into the (N, K) codes of the value at nibble position % 8 of word position / 8 of B (row-major).
    // A row of B (16N values) holds tile row position / 16N, split into 1024-value chunks of 64 columns each.
    static int CodeIndex(int position, int n, int k, (int Row, int Column)[] sources)
    {
        int tileRow = Math.DivRem(position, Tile * n, out int inRow);
        int chunk = Math.DivRem(inRow, ChunkValues, out int j);
        var (row, column) = sources[j];
        return (chunk * 64 + column) * k + tileRow * Tile + row;
    }

    // perm: for lane i in 0..31, col = i / 4, rows 4(i%4)..4(i%4)+3 of blocks 0 and 1 give 16 * row + col + 8 * block;
    // repeated for the 4 tiles (+256 j); then each group of 8 reordered by the interleave. Index within the chunk
    // 256 * tile + 16 * row + column-in-tile becomes (row, 16 * tile + column-in-tile).
    static (int Row, int Column)[] ChunkSources(int[] interleave)
    {
        var perm = new List<int>(ChunkValues);
        for (int lane = 0; lane < 32; lane++)
        {
            int col = lane / 4;
            var laneValues = new List<int>(8);
            for (int block = 0; block < 2; block++)
                for (int row = 4 * (lane % 4); row < 4 * (lane % 4) + 4; row++)
                    laneValues.Add(16 * row + col + 8 * block);
            for (int tile = 0; tile < 4; tile++)
                perm.AddRange(laneValues.Select(v => v + 256 * tile));
        }
        var sources = new (int Row, int Column)[ChunkValues];
        for (int j = 0; j < ChunkValues; j++)
        {
            int source = perm[j / 8 * 8 + interleave[j % 8]];
            sources[j] = (source % 256 / Tile, source / 256 * Tile + source % Tile);
        }
        return sources;
    }

    static T[] Permute<T>(ReadOnlySpan<T> values, int[] permutation, bool toStored)
    {
        var result = new T[values.Length];
        for (int block = 0; block < values.Length; block += permutation.Length)
            for (int j = 0; j < permutation.Length; j++)
            {
                if (toStored) result[block + j] = values[block + permutation[j]];
                else result[block + permutation[j]] = values[block + j];
            }
        return result;
    }
}
