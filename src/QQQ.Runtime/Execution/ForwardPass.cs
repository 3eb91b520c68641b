using ILGPU;
using ILGPU.Runtime;
using QQQ.Formats;
using QQQ.Runtime.Kernels.Gemm;
using QQQ.Runtime.Kernels.Layers;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Execution;

/// <summary>
/// The W4A8 transformer on one accelerator: activation buffers for up to <see cref="MaxRows"/> tokens, the KV
/// cache, and one pass over the layers per call (llama2.c's forward, batched over the new tokens):
/// RMSNorm+quantize -> q,k,v GEMMs -> RoPE -> cache append -> attention -> quantize -> o GEMM -> residual ->
/// RMSNorm+quantize -> gate,up GEMMs -> silu·up+quantize -> down GEMM -> residual; final norm; fp16 lm_head.
/// </summary>
sealed class ForwardPass<TGranularity> : IDisposable where TGranularity : struct, IWeightGranularity
{
    readonly DeviceWeights<TGranularity> _weights;
    readonly LayerKernels _kernels;
    readonly W4A8Gemm<TGranularity> _gemm;
    readonly KeyValueCache _cache;
    readonly RotaryTables _rotary;
    readonly AttentionShape _shape;
    readonly ModelConfig _config;
    readonly List<IDisposable> _buffers = [];
    readonly MemoryBuffer1D<float, Stride1D.Dense> _residual, _normed, _attention, _scales, _logits;
    readonly MemoryBuffer1D<sbyte, Stride1D.Dense> _quantized;
    readonly MemoryBuffer1D<Half, Stride1D.Dense> _q, _k, _v, _projected, _gate, _up;

    public ForwardPass(Accelerator accelerator, DeviceWeights<TGranularity> weights, int context, int maxRows)
    {
        _weights = weights;
        _config = weights.Config;
        Context = context;
        MaxRows = maxRows;
        _kernels = new LayerKernels(accelerator);
        _gemm = new W4A8Gemm<TGranularity>(accelerator);
        _shape = AttentionShape.From(_config);
        _cache = new KeyValueCache(accelerator, _config.NumLayers, _config.NumKeyValueHeads, context, _config.HeadDim);
        _rotary = new RotaryTables(accelerator, context, _config.HeadDim, _config.RopeTheta);
        int hidden = _config.HiddenSize, qDim = _config.NumHeads * _config.HeadDim, kvDim = _config.KeyValueDim;
        int inter = weights.PaddedIntermediate;
        MemoryBuffer1D<T, Stride1D.Dense> Buffer<T>(long length) where T : unmanaged
        {
            var b = accelerator.Allocate1D<T>(length);
            _buffers.Add(b);
            return b;
        }
        _residual = Buffer<float>((long)maxRows * hidden);
        _normed = Buffer<float>((long)maxRows * hidden);
        _attention = Buffer<float>((long)maxRows * qDim);
        _scales = Buffer<float>(maxRows);
        _quantized = Buffer<sbyte>((long)maxRows * Math.Max(Math.Max(hidden, qDim), inter));
        _q = Buffer<Half>((long)maxRows * qDim);
        _k = Buffer<Half>((long)maxRows * kvDim);
        _v = Buffer<Half>((long)maxRows * kvDim);
        _projected = Buffer<Half>((long)maxRows * hidden);
        _gate = Buffer<Half>((long)maxRows * inter);
        _up = Buffer<Half>((long)maxRows * inter);
        _logits = Buffer<float>((long)maxRows * _config.VocabSize);
    }

    public int Context { get; }
    public int MaxRows { get; }

    /// <summary>
    /// Runs <paramref name="ids"/> at positions [start, start + ids.Length) through the model, appending to the
    /// KV cache, and returns the logits of the last <paramref name="logitRows"/> rows: (logitRows, vocab).
    /// </summary>
    public float[] Run(ReadOnlySpan<int> ids, int start, int logitRows)
    {
        int rows = ids.Length;
        if (rows < 1 || rows > MaxRows) throw new ArgumentOutOfRangeException(nameof(ids), $"1..{MaxRows} tokens per call, got {rows}");
        if (start < 0 || start + rows > Context)
            throw new ArgumentOutOfRangeException(nameof(start), $"positions {start}..{start + rows - 1} exceed the context of {Context}");
        if (logitRows < 0 || logitRows > rows) throw new ArgumentOutOfRangeException(nameof(logitRows));
        var c = _config;
        int hidden = c.HiddenSize, qDim = c.NumHeads * c.HeadDim, kvDim = c.KeyValueDim, inter = _weights.PaddedIntermediate;
        float eps = c.RmsNormEps;
        var residual = _residual.View.SubView(0, (long)rows * hidden);
        var scales = _scales.View.SubView(0, rows);
        ArrayView<sbyte> Quantized(int width) => _quantized.View.SubView(0, (long)rows * width);
        ArrayView<Half> Rows(MemoryBuffer1D<Half, Stride1D.Dense> b, int width) => b.View.SubView(0, (long)rows * width);

        _kernels.Embedding.Lookup(ids, _weights.Embedding.View, hidden, residual);
        for (int l = 0; l < c.NumLayers; l++)
        {
            var layer = _weights.Layers[l];
            _kernels.RmsNorm.NormalizeQuantize(residual, layer.InputNorm.View, rows, hidden, eps, Quantized(hidden), scales);
            _gemm.Run(Quantized(hidden), scales, layer.Q, Rows(_q, qDim));
            _gemm.Run(Quantized(hidden), scales, layer.K, Rows(_k, kvDim));
            _gemm.Run(Quantized(hidden), scales, layer.V, Rows(_v, kvDim));
            _kernels.Rotary.Apply(Rows(_q, qDim), Rows(_k, kvDim), rows, start, _shape, _rotary, RopeConvention.RotateHalf);
            _kernels.Attention.Append(_cache, l, start, rows, Rows(_k, kvDim), Rows(_v, kvDim));
            var attention = _attention.View.SubView(0, (long)rows * qDim);
            _kernels.Attention.Attend(_cache, l, start, rows, _shape, Rows(_q, qDim), attention);
            _kernels.TokenQuantizer.Quantize(attention, rows, qDim, Quantized(qDim), scales);
            _gemm.Run(Quantized(qDim), scales, layer.O, Rows(_projected, hidden));
            _kernels.ResidualAdd.Add(residual, Rows(_projected, hidden));

            _kernels.RmsNorm.NormalizeQuantize(residual, layer.PostAttentionNorm.View, rows, hidden, eps, Quantized(hidden), scales);
            _gemm.Run(Quantized(hidden), scales, layer.Gate, Rows(_gate, inter));
            _gemm.Run(Quantized(hidden), scales, layer.Up, Rows(_up, inter));
            _kernels.GatedActivation.ActivateQuantize(Rows(_gate, inter), Rows(_up, inter), rows, inter, Quantized(inter), scales);
            _gemm.Run(Quantized(inter), scales, layer.Down, Rows(_projected, hidden));
            _kernels.ResidualAdd.Add(residual, Rows(_projected, hidden));
        }
        if (logitRows == 0) return [];
        var last = residual.SubView((long)(rows - logitRows) * hidden, (long)logitRows * hidden);
        var normed = _normed.View.SubView(0, (long)logitRows * hidden);
        _kernels.RmsNorm.Normalize(last, _weights.FinalNorm.View, logitRows, hidden, eps, normed);
        var logits = _logits.View.SubView(0, (long)logitRows * c.VocabSize);
        _kernels.LmHead.Logits(normed, _weights.LmHead.View, logitRows, hidden, logits);
        return logits.GetAsArray1D();
    }

    public void Dispose()
    {
        foreach (var b in _buffers) b.Dispose();
        _cache.Dispose();
        _rotary.Dispose();
        _gemm.Dispose();
        _kernels.Dispose();
    }
}
