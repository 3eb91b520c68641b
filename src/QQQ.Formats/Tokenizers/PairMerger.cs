namespace QQQ.Formats.Tokenizers;

/// <summary>
/// llama2.c's merge loop: repeatedly replace the adjacent pair whose concatenated piece is in the vocabulary with the
/// highest score (the leftmost such pair on ties) by that piece, until no pair merges. llama2.c rescans the whole
/// sequence for every merge (quadratic); this keeps the candidate pairs in a priority queue ordered by
/// (score descending, position ascending) over a linked list, which picks the same pair at every step.
/// </summary>
internal static class PairMerger
{
    /// <summary>llama2.c starts its search from this score: a pair must score strictly higher to merge.</summary>
    const float NoScore = -1e10f;

    readonly record struct Candidate(int Left, int Right, int LeftVersion, int RightVersion, int Merged);

    /// <summary>Returns <paramref name="tokens"/> after all merges.</summary>
    public static int[] Merge(ReadOnlySpan<int> tokens, Llama2cVocabulary vocabulary)
    {
        int n = tokens.Length;
        var ids = tokens.ToArray();
        var next = new int[n];
        var prev = new int[n];
        // Bumped whenever a position's token changes or the position is merged away; stale candidates are skipped.
        var version = new int[n];
        for (int i = 0; i < n; i++)
        {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }

        var queue = new PriorityQueue<Candidate, (float Score, int Left)>(n, BestFirst.Instance);
        var concatenation = new char[2 * vocabulary.MaxTokenLength];

        void Offer(int left)
        {
            int right = next[left];
            if (right < 0) return;
            string a = vocabulary.Piece(ids[left]), b = vocabulary.Piece(ids[right]);
            a.CopyTo(concatenation);
            b.CopyTo(concatenation.AsSpan(a.Length));
            if (vocabulary.TryFind(concatenation.AsSpan(0, a.Length + b.Length), out int merged)
                && vocabulary.Score(merged) > NoScore)
                queue.Enqueue(new Candidate(left, right, version[left], version[right], merged), (vocabulary.Score(merged), left));
        }

        for (int i = 0; i + 1 < n; i++) Offer(i);

        int count = n;
        while (queue.TryDequeue(out var candidate, out _))
        {
            int left = candidate.Left, right = candidate.Right;
            if (version[left] != candidate.LeftVersion || version[right] != candidate.RightVersion || next[left] != right)
                continue;
            ids[left] = candidate.Merged;
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
        var result = new int[count];
        for (int i = 0, at = n > 0 ? 0 : -1; at >= 0; at = next[at]) result[i++] = ids[at];
        return result;
    }

    sealed class BestFirst : IComparer<(float Score, int Left)>
    {
        public static readonly BestFirst Instance = new();

        public int Compare((float Score, int Left) x, (float Score, int Left) y) =>
            x.Score > y.Score ? -1 : x.Score < y.Score ? 1 : x.Left.CompareTo(y.Left);
    }
}
