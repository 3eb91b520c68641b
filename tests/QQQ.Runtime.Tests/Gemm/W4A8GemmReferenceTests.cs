using QQQ.Runtime.Kernels.Gemm;
using QQQ.TestSupport;

namespace QQQ.Runtime.Tests.Gemm;

/// <summary>
/// The scalar reference against an independent float64 computation: (x_q * s_tok) @ (w8 * s_channel)^T with
/// w8 derived from q in double precision. The only differences allowed are the fp32 epilogue and the final
/// fp16 rounding.
/// </summary>
public class W4A8GemmReferenceTests
{
    [Theory]
    [InlineData(Granularity.PerChannel, 5, 64, 256)]
    [InlineData(Granularity.PerChannel, 3, 32, 96)]
    [InlineData(Granularity.PerGroup128, 5, 64, 384)]
    [InlineData(Granularity.PerGroup64, 2, 32, 128)]
    [InlineData(Granularity.PerGroup32, 4, 96, 64)]
    public void ReferenceAgreesWithFloat64(Granularity granularity, int m, int n, int k) =>
        granularity.Run(new Float64Check(m, n, k));

    sealed class Float64Check(int m, int n, int k) : IGranularityTest
    {
        public void Run<TGranularity>() where TGranularity : struct, IWeightGranularity
        {
            var problem = GemmProblem.Create<TGranularity>(m, n, k);
            var reference = problem.Reference<TGranularity>();
            var exact = Float64(problem);

            // fp16 rounding is at most 2^-11 relative for normal results (2^-25 absolute below 2^-14); the fp32
            // epilogue adds a few 2^-24.
            for (int i = 0; i < exact.Length; i++)
            {
                double error = Math.Abs((double)reference[i] - exact[i]);
                double bound = Math.Abs(exact[i]) * (Math.Pow(2, -11) + 4 * Math.Pow(2, -24)) + Math.Pow(2, -25);
                Assert.True(error <= bound, $"{problem}: D[{i / n}, {i % n}] = {reference[i]}, float64 {exact[i]}, error {error:E3} > {bound:E3}");
            }
            var asFloat = reference.Select(h => (float)h).ToArray();
            Assert.True(Numerics.RelativeError(asFloat, exact) < 5e-4, $"{problem}: relative error {Numerics.RelativeError(asFloat, exact):E3}");
            Assert.Contains(asFloat, v => v != 0);
        }
    }

    static double[] Float64(GemmProblem p)
    {
        var result = new double[p.M * p.N];
        for (int row = 0; row < p.M; row++)
        for (int col = 0; col < p.N; col++)
        {
            double sum = 0;
            for (int i = 0; i < p.K; i++)
            {
                double x = p.Activations[row * p.K + i] * (double)p.TokenScales[row];
                int q = p.Weights[col * p.K + i];
                double w8 = p.GroupSize == 0
                    ? 16.0 * q
                    : Math.Round((q - 8) * (double)p.GroupScales[i / p.GroupSize * p.N + col], MidpointRounding.ToEven);
                sum += x * (w8 * p.ChannelScales[col]);
            }
            result[row * p.N + col] = sum;
        }
        return result;
    }
}
