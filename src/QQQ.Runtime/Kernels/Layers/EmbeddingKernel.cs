using ILGPU;
using ILGPU.Runtime;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// Token embedding lookup: ids (rows) -> fp32 rows (rows, hidden) of the fp16 table (vocab, hidden).
/// The ids come from the host (tokenizer or sampler); they are checked there and then copied into a
/// device buffer this instance owns (grown on demand), so a bad id never reaches the kernel.
/// </summary>
public sealed class EmbeddingKernel : IDisposable
{
    readonly Accelerator _accelerator;
    /// <summary>Launches the loaded formulation on (ids, table, output, hidden).</summary>
    readonly Action<ArrayView<int>, ArrayView<Half>, ArrayView<float>, int> _launch;
    MemoryBuffer1D<int, Stride1D.Dense>? _ids;

    /// <summary>Loads the kernel on <paramref name="accelerator"/>, in the formulation that suits it.</summary>
    public EmbeddingKernel(Accelerator accelerator) : this(accelerator, KernelFormulations.For(accelerator)) { }

    internal EmbeddingKernel(Accelerator accelerator, KernelFormulation formulation)
    {
        _accelerator = accelerator;
        if (formulation == KernelFormulation.Cpu)
        {
            var kernel = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<Half>, ArrayView<float>, int>(CpuKernel);
            _launch = (ids, table, output, hidden) => kernel(new KernelConfig((int)ids.Length, 1), ids, table, output, hidden);
        }
        else
        {
            var kernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<Half>, ArrayView<float>, int>(Kernel);
            _launch = (ids, table, output, hidden) => kernel(Guard.LaunchSize(output.Length, nameof(output)), ids, table, output, hidden);
        }
    }

    /// <summary>output (ids.Length, hidden) fp32 = table[ids] with table (vocab, hidden) fp16; ids outside the vocabulary throw.</summary>
    public void Lookup(ReadOnlySpan<int> ids, ArrayView<Half> table, int hidden, ArrayView<float> output)
    {
        Guard.Positive(ids.Length, nameof(ids));
        Guard.Positive(hidden, nameof(hidden));
        if (table.Length % hidden != 0)
            throw new ArgumentException($"the table's {table.Length} elements are not rows of {hidden}", nameof(table));
        long vocab = table.Length / hidden;
        for (int i = 0; i < ids.Length; i++)
            if (ids[i] < 0 || ids[i] >= vocab)
                throw new ArgumentException($"token id {ids[i]} at index {i} is outside the vocabulary of {vocab}", nameof(ids));
        Guard.Length(output, (long)ids.Length * hidden, nameof(output));
        if (_ids is null || _ids.Length < ids.Length)
        {
            _ids?.Dispose();
            _ids = null;   // stays null if the allocation below throws
            _ids = _accelerator.Allocate1D<int>(ids.Length);
        }
        ArrayView<int> deviceIds = _ids.View.SubView(0, ids.Length);
        deviceIds.CopyFromCPU(ids);
        _launch(deviceIds, table, output, hidden);
    }

    static void Kernel(Index1D index, ArrayView<int> ids, ArrayView<Half> table, ArrayView<float> output, int hidden) =>
        output[index] = table[(long)ids[index / hidden] * hidden + index % hidden];

    // CPU formulation: one single-thread group per token row.
    static void CpuKernel(ArrayView<int> ids, ArrayView<Half> table, ArrayView<float> output, int hidden)
    {
        long from = (long)ids[Grid.IdxX] * hidden, to = (long)Grid.IdxX * hidden;
        for (int c = 0; c < hidden; c++) output[to + c] = table[from + c];
    }

    /// <summary>Managed reference of <see cref="Lookup"/>.</summary>
    public static void Reference(ReadOnlySpan<int> ids, ReadOnlySpan<Half> table, int hidden, Span<float> output)
    {
        for (int row = 0; row < ids.Length; row++)
            for (int c = 0; c < hidden; c++)
                output[row * hidden + c] = table[ids[row] * hidden + c];
    }

    /// <summary>Frees the device copy of the ids.</summary>
    public void Dispose() => _ids?.Dispose();
}
