namespace QQQ.Formats.Tests.Support;

/// <summary>
/// Writes llama2.c v0 files by hand: the 7-int header, then float32 value k at float index k of the
/// body (so every weight tells where in the file it came from), sized by the layout spelled out here.
/// </summary>
public static class SyntheticLlama2C
{
    /// <summary>Float count of the body, by the run.c layout (vocab &lt; 0: untied classifier at the end).</summary>
    public static long BodyFloats(int dim, int hidden, int layers, int heads, int kvHeads, int vocab, int seqLen)
    {
        long kvDim = (long)dim / heads * kvHeads, headSize = dim / heads, v = Math.Abs(vocab);
        long perLayer = dim + dim * dim + 2 * kvDim * dim + dim * dim + dim + 3L * hidden * dim;
        return v * dim + layers * perLayer + dim + 2 * seqLen * (headSize / 2) + (vocab < 0 ? v * dim : 0);
    }

    public static byte[] Build(int dim, int hidden, int layers, int heads, int kvHeads, int vocab, int seqLen)
    {
        long floats = BodyFloats(dim, hidden, layers, heads, kvHeads, vocab, seqLen);
        var bytes = new byte[28 + 4 * floats];
        int[] header = [dim, hidden, layers, heads, kvHeads, vocab, seqLen];
        for (int i = 0; i < 7; i++) BitConverter.TryWriteBytes(bytes.AsSpan(4 * i), header[i]);
        for (int k = 0; k < floats; k++) BitConverter.TryWriteBytes(bytes.AsSpan(28 + 4 * k), (float)k);
        return bytes;
    }
}
