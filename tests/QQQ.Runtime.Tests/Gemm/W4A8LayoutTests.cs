using QQQ.Runtime.Kernels.Gemm;

namespace QQQ.Runtime.Tests.Gemm;

/// <summary>The packed layout is what its documentation says: decoding by the documented formulas gives q and s_group back.</summary>
public class W4A8LayoutTests
{
    [Fact]
    public void WordsFollowTheDocumentedLayout()
    {
        int n = 64, k = 96, kBlocks = k / 32;
        var random = new Random(Random.Shared.Next());
        var q = new sbyte[n * k];
        for (int i = 0; i < q.Length; i++) q[i] = (sbyte)random.Next(-7, 8);

        var words = W4A8Layout.PackWords(q, n, k);

        Assert.Equal(n / 32 * kBlocks * 128, words.Length);
        for (int nt = 0; nt < n / 32; nt++)
        for (int kb = 0; kb < kBlocks; kb++)
        for (int lane = 0; lane < 32; lane++)
        for (int j = 0; j < 4; j++)
        {
            int g = lane / 4, t = lane % 4, column = 32 * nt + 8 * j + g;
            int word = words[((nt * kBlocks + kb) * 32 + lane) * 4 + j];
            for (int b = 0; b < 4; b++)
            {
                // Per-channel nibbles are two's complement: sign-extend 4 bits.
                int low = (word >> (8 * b)) << 28 >> 28, high = (word >> (8 * b + 4)) << 28 >> 28;
                Assert.Equal(q[column * k + 32 * kb + 4 * t + b], low);
                Assert.Equal(q[column * k + 32 * kb + 16 + 4 * t + b], high);
            }
        }
    }

    [Fact]
    public void GroupScalesFollowTheDocumentedLayout()
    {
        int n = 64, k = 256, groupSize = 128, groups = k / groupSize;
        var scales = Enumerable.Range(0, groups * n).Select(i => (Half)(0.25f + i)).ToArray();

        var packed = W4A8Layout.PackGroupScales(scales, n, k, groupSize);

        for (int group = 0; group < groups; group++)
        for (int nt = 0; nt < n / 32; nt++)
        for (int g = 0; g < 8; g++)
        for (int j = 0; j < 4; j++)
        {
            int pair = packed[((group * (n / 32) + nt) * 8 + g) * 2 + j / 2];
            var stored = BitConverter.UInt16BitsToHalf((ushort)(pair >>> (16 * (j % 2))));
            Assert.Equal(scales[group * n + 32 * nt + 8 * j + g], stored);
        }
    }
}
