using QQQ.Runtime.Kernels.Gemm;

namespace QQQ.Runtime.Tests.Gemm;

/// <summary>A random W4A8 problem in natural order, with the seed that made it (printed on failure).</summary>
internal sealed record GemmProblem(
    int Seed, int M, int N, int K, int GroupSize,
    sbyte[] Activations, float[] TokenScales, sbyte[] Weights, float[] ChannelScales, Half[] GroupScales)
{
    /// <summary>Group scales that make (q - 8) * s land exactly on .5 for some q, so round-half-even is exercised.</summary>
    static readonly float[] TieScales = [0.5f, 1.5f, 2.5f, 3.25f, 6.5f, 12.5f, 15.5f, 0.125f];

    public static GemmProblem Create<TGranularity>(int m, int n, int k, int? seed = null)
        where TGranularity : struct, IWeightGranularity
    {
        int actualSeed = seed ?? Random.Shared.Next();
        var random = new Random(actualSeed);
        int groupSize = default(TGranularity).GroupSize;

        var activations = new sbyte[m * k];
        for (int i = 0; i < activations.Length; i++) activations[i] = NonZero(random, -128, 128);
        var tokenScales = new float[m];
        for (int i = 0; i < m; i++) tokenScales[i] = (float)(0.002 + 0.03 * random.NextDouble());

        var weights = new sbyte[n * k];
        var channelScales = new float[n];
        Half[] groupScales = [];
        if (groupSize == 0)
        {
            for (int i = 0; i < weights.Length; i++) weights[i] = NonZero(random, -7, 8);
            for (int i = 0; i < n; i++) channelScales[i] = (float)(0.0005 + 0.004 * random.NextDouble()) / 16;
        }
        else
        {
            for (int i = 0; i < weights.Length; i++) weights[i] = (sbyte)random.Next(0, 16);
            for (int i = 0; i < n; i++) channelScales[i] = (float)(0.0002 + 0.002 * random.NextDouble());
            groupScales = new Half[k / groupSize * n];
            for (int i = 0; i < groupScales.Length; i++)
            {
                groupScales[i] = random.Next(4) == 0
                    ? (Half)TieScales[random.Next(TieScales.Length)]
                    : (Half)(0.05 + 15.8 * random.NextDouble());
            }
        }
        return new GemmProblem(actualSeed, m, n, k, groupSize, activations, tokenScales, weights, channelScales, groupScales);
    }

    public Half[] Reference<TGranularity>()
        where TGranularity : struct, IWeightGranularity
    {
        var output = new Half[M * N];
        W4A8GemmReference.Compute<TGranularity>(Activations, TokenScales, Weights, ChannelScales, GroupScales, M, N, K, output);
        return output;
    }

    public override string ToString() => $"seed {Seed}, M={M} N={N} K={K} G={GroupSize}";

    static sbyte NonZero(Random random, int min, int maxExclusive)
    {
        int v;
        do v = random.Next(min, maxExclusive); while (v == 0);
        return (sbyte)v;
    }
}
