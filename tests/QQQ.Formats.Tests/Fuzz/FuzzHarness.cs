using System.Diagnostics;

namespace QQQ.Formats.Tests.Fuzz;

/// <summary>
/// Runs one fuzz case: it must finish within a time limit, allocate a bounded amount, and either
/// succeed or throw <see cref="ModelFormatException"/>. Tallies outcomes so a test can check that its
/// mutations reach both the accepting and the rejecting paths.
/// </summary>
public sealed class FuzzHarness
{
    static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(10);

    // Fuzz inputs are a few KB; a reader that sizes buffers from untrusted numbers would blow far past this.
    const long MaxAllocatedBytes = 16 << 20;

    public int Accepted { get; private set; }
    public int Rejected { get; private set; }
    public TimeSpan Slowest { get; private set; }

    public void Run(string description, Action readEverything)
    {
        var task = Task.Run(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            Exception? error = null;
            try
            {
                readEverything();
            }
            catch (Exception e)
            {
                error = e;
            }
            return (Error: error, Allocated: GC.GetAllocatedBytesForCurrentThread() - before, clock.Elapsed);
        });
        if (!task.Wait(CaseTimeout)) Assert.Fail($"{description}: did not finish within {CaseTimeout.TotalSeconds} s");
        var (error, allocated, elapsed) = task.Result;
        if (elapsed > Slowest) Slowest = elapsed;
        Assert.True(allocated <= MaxAllocatedBytes, $"{description}: allocated {allocated} bytes");
        switch (error)
        {
            case null:
                Accepted++;
                break;
            case ModelFormatException format:
                Assert.DoesNotContain('\n', format.Message);
                Rejected++;
                break;
            default:
                Assert.Fail($"{description}: {error.GetType().Name} instead of ModelFormatException: {error}");
                break;
        }
    }

    /// <summary>Both paths must be exercised, or the mutations are too weak (or too strong) to test anything.</summary>
    public void AssertBothOutcomesSeen(int minimumEach)
    {
        Assert.True(Accepted >= minimumEach, $"only {Accepted} cases were accepted");
        Assert.True(Rejected >= minimumEach, $"only {Rejected} cases were rejected");
    }
}
