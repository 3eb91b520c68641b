using ILGPU;
using ILGPU.Runtime;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// The fp16 key and value caches of all layers, each (layers, kv_heads, context, head_dim) row-major:
/// the keys of one (layer, kv head) are contiguous, so attention streams them. Positions are only
/// ever read after <see cref="AttentionKernels.Append"/> wrote them (causal), so the buffers are not cleared.
/// </summary>
public sealed class KeyValueCache : IDisposable
{
    readonly MemoryBuffer1D<Half, Stride1D.Dense> _keys;
    readonly MemoryBuffer1D<Half, Stride1D.Dense> _values;

    /// <summary>Allocates both caches (2 * layers * kv_heads * context * head_dim fp16 values).</summary>
    public KeyValueCache(Accelerator accelerator, int layers, int keyValueHeads, int context, int headDim)
    {
        Guard.Positive(layers, nameof(layers));
        Guard.Positive(keyValueHeads, nameof(keyValueHeads));
        Guard.Positive(context, nameof(context));
        Guard.Positive(headDim, nameof(headDim));
        Layers = layers;
        KeyValueHeads = keyValueHeads;
        Context = context;
        HeadDim = headDim;
        LayerLength = (long)keyValueHeads * context * headDim;
        _keys = accelerator.Allocate1D<Half>(layers * LayerLength);
        try
        {
            _values = accelerator.Allocate1D<Half>(layers * LayerLength);
        }
        catch
        {
            _keys.Dispose();
            throw;
        }
    }

    /// <summary>Decoder layers held.</summary>
    public int Layers { get; }

    /// <summary>Key/value heads per layer.</summary>
    public int KeyValueHeads { get; }

    /// <summary>Positions per sequence: every start + rows must stay within it.</summary>
    public int Context { get; }

    /// <summary>Elements per head.</summary>
    public int HeadDim { get; }

    /// <summary>Elements of one layer's keys (or values): kv_heads * context * head_dim.</summary>
    public long LayerLength { get; }

    /// <summary>All keys, (layers, kv_heads, context, head_dim).</summary>
    public ArrayView<Half> Keys => _keys.View;

    /// <summary>All values, (layers, kv_heads, context, head_dim).</summary>
    public ArrayView<Half> Values => _values.View;

    /// <summary>Keys of one layer, (kv_heads, context, head_dim).</summary>
    public ArrayView<Half> LayerKeys(int layer) => Keys.SubView(CheckLayer(layer) * LayerLength, LayerLength);

    /// <summary>Values of one layer, (kv_heads, context, head_dim).</summary>
    public ArrayView<Half> LayerValues(int layer) => Values.SubView(CheckLayer(layer) * LayerLength, LayerLength);

    /// <summary>Throws <see cref="ArgumentException"/> unless rows new positions at <paramref name="start"/> fit the context.</summary>
    public void CheckPositions(int start, int rows)
    {
        Guard.Positive(rows, nameof(rows));
        if (start < 0 || (long)start + rows > Context)
            throw new ArgumentException($"positions {start} .. {(long)start + rows - 1} do not fit the KV cache context of {Context}", nameof(start));
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless the cache was made for <paramref name="shape"/>'s kv heads and head_dim.</summary>
    public void CheckShape(AttentionShape shape)
    {
        if (shape.KeyValueHeads != KeyValueHeads || shape.HeadDim != HeadDim)
            throw new ArgumentException($"the KV cache holds {KeyValueHeads} kv heads of {HeadDim}, the layer has {shape.KeyValueHeads} of {shape.HeadDim}", nameof(shape));
    }

    int CheckLayer(int layer) =>
        layer >= 0 && layer < Layers ? layer : throw new ArgumentException($"layer {layer} is outside 0 .. {Layers - 1}", nameof(layer));

    /// <summary>Frees both caches.</summary>
    public void Dispose()
    {
        _keys.Dispose();
        _values.Dispose();
    }
}
