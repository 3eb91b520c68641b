namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>
/// Shape and value rules shared by the reference, the packer and the kernels, so every entry point rejects
/// the same inputs with the same <see cref="ArgumentException"/>.
/// </summary>
internal static class W4A8Shapes
{
    /// <summary>Output channels per packed column tile; N must be a multiple.</summary>
    public const int ColumnTile = 32;

    /// <summary>Input features per k-block (one mma.m16n8k32 step); K must be a multiple.</summary>
    public const int KBlock = 32;

    /// <summary>Largest |int8 weight| the per-group conversion may produce (the reference kernel's byte trick needs it).</summary>
    public const int MaxGroupedInt8 = 127;

    public static void ValidateProblem(int n, int k, int groupSize)
    {
        if (n <= 0 || n % ColumnTile != 0)
            throw new ArgumentException($"N = {n} output features is not supported: N must be a positive multiple of {ColumnTile}", nameof(n));
        if (k <= 0 || k % KBlock != 0)
            throw new ArgumentException($"K = {k} input features is not supported: K must be a positive multiple of {KBlock}", nameof(k));
        if (groupSize != 0 && k % groupSize != 0)
            throw new ArgumentException($"K = {k} is not a multiple of the group size {groupSize}", nameof(k));
    }

    /// <summary>Checks weights given in natural order: q (N, K), s_channel (N), s_group (K / G, N) or empty.</summary>
    public static void ValidateWeights(
        ReadOnlySpan<sbyte> q, ReadOnlySpan<float> channelScales, ReadOnlySpan<Half> groupScales, int n, int k, int groupSize)
    {
        ValidateProblem(n, k, groupSize);
        if (q.Length != n * k)
            throw new ArgumentException($"weights hold {q.Length} values, expected N * K = {n} * {k}", nameof(q));
        if (channelScales.Length != n)
            throw new ArgumentException($"channel scales hold {channelScales.Length} values, expected N = {n}", nameof(channelScales));
        foreach (float s in channelScales)
            if (!float.IsFinite(s)) throw new ArgumentException($"channel scale {s} is not finite", nameof(channelScales));

        if (groupSize == 0)
        {
            if (!groupScales.IsEmpty)
                throw new ArgumentException("per-channel weights take no group scales", nameof(groupScales));
            foreach (sbyte v in q)
                if (v < -7 || v > 7) throw new ArgumentException($"per-channel weight {v} is outside [-7, 7]", nameof(q));
            return;
        }

        int groups = k / groupSize;
        if (groupScales.Length != groups * n)
            throw new ArgumentException($"group scales hold {groupScales.Length} values, expected (K / {groupSize}) * N = {groups} * {n}", nameof(groupScales));
        for (int row = 0; row < n; row++)
        {
            for (int group = 0; group < groups; group++)
            {
                float scale = (float)groupScales[group * n + row];
                if (!float.IsFinite(scale))
                    throw new ArgumentException($"group scale {scale} (row {row}, group {group}) is not finite", nameof(groupScales));
                int widest = 0;
                foreach (sbyte v in q.Slice(row * k + group * groupSize, groupSize))
                {
                    if (v < 0 || v > 15) throw new ArgumentException($"per-group weight {v} is outside [0, 15]", nameof(q));
                    widest = Math.Max(widest, Math.Abs(v - 8));
                }
                if (Math.Abs(MathF.Round(widest * scale, MidpointRounding.ToEven)) > MaxGroupedInt8)
                    throw new ArgumentException(
                        $"group scale {scale} (row {row}, group {group}) makes an int8 weight wider than {MaxGroupedInt8}", nameof(groupScales));
            }
        }
    }
}
