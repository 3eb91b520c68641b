namespace QQQ.Formats.Tokenizers;

/// <summary>Which adjacent symbols merge, into what, and how eagerly.</summary>
internal interface IPairMerges<TSymbol>
{
    /// <summary>Whether <paramref name="left"/> followed by <paramref name="right"/> merges; higher scores merge first.</summary>
    bool TryMerge(TSymbol left, TSymbol right, out TSymbol merged, out float score);
}

/// <summary>
/// The greedy merge loop shared by llama2.c and SentencePiece BPE: repeatedly replace the adjacent pair with the
/// highest score (the leftmost such pair on ties) by its merge, until no pair merges. llama2.c rescans the whole
/// sequence for every merge (quadratic); this keeps the candidate pairs in a priority queue ordered by
/// (score descending, position ascending) over a linked list, which picks the same pair at every step. Candidates are
/// offered in SentencePiece's order: all initial pairs left to right, then after each merge (previous, merged) and
/// (merged, next).
/// </summary>
internal static class PairMerger
{
    readonly record struct Candidate<TSymbol>(int Left, int Right, int LeftVersion, int RightVersion, TSymbol Merged);

    /// <summary>Returns <paramref name="symbols"/> after all merges.</summary>
    public static TSymbol[] Merge<TSymbol>(ReadOnlySpan<TSymbol> symbols, IPairMerges<TSymbol> merges)
    {
        int n = symbols.Length;
        var current = symbols.ToArray();
        var next = new int[n];
        var prev = new int[n];
        // Bumped whenever a position's symbol changes or the position is merged away; stale candidates are skipped.
        var version = new int[n];
        for (int i = 0; i < n; i++)
        {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }

        var queue = new PriorityQueue<Candidate<TSymbol>, (float Score, int Left)>(n, BestFirst.Instance);

        void Offer(int left)
        {
            int right = next[left];
            if (right >= 0 && merges.TryMerge(current[left], current[right], out var merged, out float score))
                queue.Enqueue(new Candidate<TSymbol>(left, right, version[left], version[right], merged), (score, left));
        }

        for (int i = 0; i + 1 < n; i++) Offer(i);

        int count = n;
        while (queue.TryDequeue(out var candidate, out _))
        {
            int left = candidate.Left, right = candidate.Right;
            if (version[left] != candidate.LeftVersion || version[right] != candidate.RightVersion || next[left] != right)
                continue;
            current[left] = candidate.Merged;
            version[left]++;
            version[right]++;
            int after = next[right];
            next[left] = after;
            if (after >= 0) prev[after] = left;
            count--;
            if (prev[left] >= 0) Offer(prev[left]);
            Offer(left);
        }

        // Merges always keep the left position, so position 0 heads the list.
        var result = new TSymbol[count];
        for (int i = 0, at = n > 0 ? 0 : -1; at >= 0; at = next[at]) result[i++] = current[at];
        return result;
    }

    sealed class BestFirst : IComparer<(float Score, int Left)>
    {
        public static readonly BestFirst Instance = new();

        public int Compare((float Score, int Left) x, (float Score, int Left) y) =>
            x.Score > y.Score ? -1 : x.Score < y.Score ? 1 : x.Left.CompareTo(y.Left);
    }
}
