using static TorchSharp.torch;

namespace QQQ.Quantization.Tests;

/// <summary>libtorch loads on this platform (the build's GLIBCXX fix) and computes correctly.</summary>
public class LibTorchLoadsTests
{
    [Fact]
    public void CholeskyOfRandomSpdMatrixReconstructsIt()
    {
        // a: (n, n) symmetric positive definite, built from fresh random data in float64.
        var random = new Random();
        const int n = 24;
        var m = new double[n * n];
        for (int i = 0; i < m.Length; i++) m[i] = random.NextDouble() * 2 - 1;
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double s = i == j ? n : 0;
                for (int k = 0; k < n; k++) s += m[i * n + k] * m[j * n + k];
                a[i * n + j] = s;
            }

        using var matrix = tensor(a, [n, n]);
        using var l = linalg.cholesky(matrix);
        var lower = l.data<double>().ToArray();

        // Independent check: L is lower triangular and L L^T == A, summed here in managed code.
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (j > i) Assert.Equal(0.0, lower[i * n + j]);
                double s = 0;
                for (int k = 0; k < n; k++) s += lower[i * n + k] * lower[j * n + k];
                Assert.Equal(a[i * n + j], s, 1e-9 * n);
            }
    }
}
