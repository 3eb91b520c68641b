using QQQ.Runtime.Generation;

namespace QQQ.Runtime.Tests.Generation;

/// <summary>
/// <see cref="TokenSampler"/> against distributions computed here independently (LINQ ordering, float64 softmax):
/// greedy picks the argmax with the lowest id on ties; sampling draws each candidate with its renormalized nucleus
/// probability and never a token outside top-k or top-p; a seed fixes the sequence.
/// </summary>
public class TokenSamplerTests
{
    static float[] RandomLogits(Random random, int vocab) =>
        Enumerable.Range(0, vocab).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray();

    /// <summary>P(id) under temperature, top-k and top-p: candidates by descending logit then ascending id.</summary>
    static double[] ExpectedProbabilities(float[] logits, SamplingSettings settings)
    {
        var ranked = logits.Select((logit, id) => (logit, id)).OrderByDescending(c => c.logit).ThenBy(c => c.id).ToList();
        if (settings.TopK > 0) ranked = ranked.Take(settings.TopK).ToList();
        double max = ranked[0].logit;
        var weights = ranked.Select(c => Math.Exp((c.logit - max) / settings.Temperature)).ToList();
        double total = weights.Sum(), mass = 0;
        int kept = 0;
        while (kept < ranked.Count)
        {
            mass += weights[kept++] / total;
            if (mass >= settings.TopP) break;
        }
        double keptTotal = weights.Take(kept).Sum();
        var expected = new double[logits.Length];
        for (int i = 0; i < kept; i++) expected[ranked[i].id] = weights[i] / keptTotal;
        return expected;
    }

    [Fact]
    public void GreedyTakesTheLowestIdAmongEqualMaxima()
    {
        var logits = RandomLogits(new Random(), 300);
        logits[17] = logits[203] = 9f;
        Assert.Equal(17, new TokenSampler(SamplingSettings.Greedy).Next(logits));
    }

    [Theory]
    [InlineData(1.0f, 0, 1.0f)]
    [InlineData(0.7f, 0, 0.9f)]
    [InlineData(1.3f, 12, 1.0f)]
    [InlineData(0.8f, 20, 0.95f)]
    public void DrawsFollowTheNucleusDistribution(float temperature, int topK, float topP)
    {
        var random = new Random();
        var logits = RandomLogits(random, 40);
        logits[5] = logits[31];   // a tie, ordered by id
        var settings = new SamplingSettings { Temperature = temperature, TopK = topK, TopP = topP, Seed = random.Next() };
        var expected = ExpectedProbabilities(logits, settings);

        const int draws = 40_000;
        var counts = new int[logits.Length];
        var sampler = new TokenSampler(settings);
        for (int i = 0; i < draws; i++) counts[sampler.Next(logits)]++;

        for (int id = 0; id < logits.Length; id++)
        {
            if (expected[id] == 0) Assert.True(counts[id] == 0, $"token {id} is outside the nucleus but was drawn {counts[id]} times");
            double tolerance = 5 * Math.Sqrt(expected[id] * (1 - expected[id]) / draws) + 1e-4;   // five standard deviations
            Assert.True(Math.Abs(counts[id] / (double)draws - expected[id]) < tolerance,
                $"token {id}: frequency {counts[id] / (double)draws:F4}, probability {expected[id]:F4}");
        }
    }

    [Fact]
    public void TheSeedFixesTheSequence()
    {
        var logits = RandomLogits(new Random(), 1000);
        var settings = new SamplingSettings { Temperature = 0.9f, TopP = 0.95f, Seed = 42 };
        int[] Draw() { var sampler = new TokenSampler(settings); return Enumerable.Range(0, 50).Select(_ => sampler.Next(logits)).ToArray(); }
        Assert.Equal(Draw(), Draw());
        var other = new TokenSampler(settings with { Seed = 43 });
        Assert.NotEqual(Draw(), Enumerable.Range(0, 50).Select(_ => other.Next(logits)).ToArray());
    }
}
