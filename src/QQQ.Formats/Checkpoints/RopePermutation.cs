namespace QQQ.Formats;

/// <summary>
/// Reorders q/k projection rows between the two RoPE conventions. llama2.c rotates adjacent pairs
/// (rows 2i, 2i+1 of a head form one complex number); Hugging Face rotates halves (rows i, i + d/2).
/// Within each head of d rows this is HF's convert_llama_weights_to_hf permute: view the rows as
/// (d/2, 2), transpose to (2, d/2), flatten; i.e. destination row t*d/2 + i takes source row 2i + t.
/// </summary>
internal static class RopePermutation
{
    /// <summary>Permutes a (heads * headDim, columns) row-major matrix from adjacent-pair to rotate-half order.</summary>
    public static float[] AdjacentPairsToRotateHalf(ReadOnlySpan<float> source, int heads, int headDim, int columns)
    {
        if (source.Length != (long)heads * headDim * columns || headDim % 2 != 0)
            throw new ArgumentException($"{source.Length} values do not form {heads} heads of {headDim} rows by {columns}");
        var destination = new float[source.Length];
        int half = headDim / 2;
        for (int head = 0; head < heads; head++)
        {
            int headRow = head * headDim;
            for (int i = 0; i < half; i++)
            {
                for (int t = 0; t < 2; t++)
                {
                    source.Slice((headRow + 2 * i + t) * columns, columns)
                        .CopyTo(destination.AsSpan((headRow + t * half + i) * columns, columns));
                }
            }
        }
        return destination;
    }
}
