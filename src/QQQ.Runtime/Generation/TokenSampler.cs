namespace QQQ.Runtime.Generation;

/// <summary>Chooses next tokens from host-side logits (vocab floats) under <see cref="SamplingSettings"/>.</summary>
public sealed class TokenSampler
{
    readonly SamplingSettings _settings;
    readonly Random _random;

    public TokenSampler(SamplingSettings settings)
    {
        settings.Validate();
        _settings = settings;
        _random = new Random(settings.Seed);
    }

    public int Next(ReadOnlySpan<float> logits)
    {
        if (logits.Length == 0) throw new ArgumentException("no logits", nameof(logits));
        if (_settings.Temperature == 0) return ArgMax(logits);

        // Candidates by descending logit (ties: lower id first), cut by top-k.
        var order = DescendingOrder(logits);
        int count = _settings.TopK > 0 ? Math.Min(_settings.TopK, order.Length) : order.Length;

        // Softmax over the candidates in float64, max-subtracted.
        var probabilities = new double[count];
        double max = logits[order[0]], sum = 0;
        for (int i = 0; i < count; i++) sum += probabilities[i] = Math.Exp((logits[order[i]] - max) / _settings.Temperature);

        // Nucleus: the smallest prefix whose mass reaches top-p (at least one token).
        double mass = 0;
        int kept = 0;
        while (kept < count)
        {
            mass += probabilities[kept++] / sum;
            if (mass >= _settings.TopP) break;
        }

        double keptSum = 0;
        for (int i = 0; i < kept; i++) keptSum += probabilities[i];
        double draw = _random.NextDouble() * keptSum;
        for (int i = 0; i < kept; i++)
        {
            draw -= probabilities[i];
            if (draw < 0) return order[i];
        }
        return order[kept - 1];
    }

    /// <summary>
    /// Token ids by descending logit, ties by ascending id. Sorts one 64-bit key per id (the logit's bits mapped to an
    /// order-reversing integer, then the id) as primitives: a comparison delegate over 32k-128k ids cost milliseconds
    /// per token, as much as a decode step on a GPU.
    /// </summary>
    static int[] DescendingOrder(ReadOnlySpan<float> logits)
    {
        var keys = new ulong[logits.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            // Ascending float order as unsigned integers: flip the sign bit of non-negatives, every bit of negatives.
            // -0 sorts as +0 and NaN below everything, as float.CompareTo orders them.
            float logit = logits[i] == 0f ? 0f : logits[i];
            uint bits = BitConverter.SingleToUInt32Bits(logit);
            uint ascending = float.IsNaN(logit) ? 0u : (bits & 0x8000_0000u) == 0 ? bits | 0x8000_0000u : ~bits;
            keys[i] = ((ulong)~ascending << 32) | (uint)i;
        }
        Array.Sort(keys);
        return Array.ConvertAll(keys, key => (int)(uint)key);
    }

    static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }
}
