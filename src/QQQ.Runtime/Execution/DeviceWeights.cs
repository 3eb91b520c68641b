using ILGPU;
using ILGPU.Runtime;
using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Formats.W4A8;
using QQQ.Runtime.Kernels.Gemm;
using QQQ.Runtime.Kernels.Layers;
using Half = ILGPU.Half;

namespace QQQ.Runtime.Execution;

/// <summary>
/// An artifact's weights uploaded once to an accelerator. The GEMM needs N and K to be multiples of 32; the
/// intermediate size is padded up to one (gate/up get zero rows, down_proj zero columns), which changes no
/// result: padded activations are silu(0)·0 = 0 and their int8 codes 0.
/// </summary>
sealed class DeviceWeights<TGranularity> : IDisposable where TGranularity : struct, IWeightGranularity
{
    public const int Alignment = 32;

    DeviceWeights(ModelConfig config, int paddedIntermediate, MemoryBuffer1D<Half, Stride1D.Dense> embedding,
        MemoryBuffer1D<Half, Stride1D.Dense>? lmHead, MemoryBuffer1D<float, Stride1D.Dense> finalNorm, DeviceLayer<TGranularity>[] layers)
    {
        Config = config;
        PaddedIntermediate = paddedIntermediate;
        Embedding = embedding;
        _lmHead = lmHead;
        FinalNorm = finalNorm;
        Layers = layers;
    }

    readonly MemoryBuffer1D<Half, Stride1D.Dense>? _lmHead;

    public ModelConfig Config { get; }
    public int PaddedIntermediate { get; }
    public MemoryBuffer1D<Half, Stride1D.Dense> Embedding { get; }        // (vocab, hidden) fp16
    public MemoryBuffer1D<Half, Stride1D.Dense> LmHead => _lmHead ?? Embedding;
    public MemoryBuffer1D<float, Stride1D.Dense> FinalNorm { get; }       // (hidden)
    public IReadOnlyList<DeviceLayer<TGranularity>> Layers { get; }

    public static DeviceWeights<TGranularity> Upload(ArtifactFile artifact, Accelerator accelerator)
    {
        var c = artifact.Config;
        int expectedGroup = default(TGranularity).GroupSize;
        int artifactGroup = artifact.Granularity is PerGroupGranularity g ? g.GroupSize : 0;
        if (expectedGroup != artifactGroup)
            throw new ModelFormatException(artifact.Path,
                $"the artifact is {artifact.Granularity} but the model type expects {(expectedGroup == 0 ? "per-channel" : $"group {expectedGroup}")}: " +
                $"load it as QQQModel<{GranularityTypeName(artifactGroup)}>");
        if (c.AttentionBias) throw new ModelFormatException(artifact.Path, "q/k/v biases (Qwen2) are not supported by the runtime yet");
        foreach (var (name, size) in new[] { ("hidden_size", c.HiddenSize), ("q dimension", c.NumHeads * c.HeadDim), ("kv dimension", c.KeyValueDim) })
            if (size % Alignment != 0)
                throw new ModelFormatException(artifact.Path, $"the runtime needs the {name} ({size}) to be a multiple of {Alignment}");
        if (c.HeadDim > AttentionKernels.MaxTiledHeadDim)
            throw new ModelFormatException(artifact.Path, $"the runtime's attention takes a head_dim ({c.HeadDim}) of at most {AttentionKernels.MaxTiledHeadDim}");
        int paddedIntermediate = (c.IntermediateSize + Alignment - 1) / Alignment * Alignment;

        var layers = new DeviceLayer<TGranularity>[c.NumLayers];
        var buffers = new List<IDisposable>();
        try
        {
            var embedding = accelerator.Allocate1D(ToIlgpu(artifact.ReadHalf(ArtifactTensors.Embedding)));
            buffers.Add(embedding);
            var lmHead = c.TiedEmbeddings ? null : accelerator.Allocate1D(ToIlgpu(artifact.ReadHalf(ArtifactTensors.LmHead)));
            if (lmHead is not null) buffers.Add(lmHead);
            var finalNorm = accelerator.Allocate1D(artifact.ReadFloat32(ArtifactTensors.FinalNorm));
            buffers.Add(finalNorm);
            // Unpacking the artifact's layout and packing the kernels' is host work of seconds per 7B layer: a batch of
            // layers is packed on all cores, then uploaded in order on this thread (a batch bounds the host memory held).
            int pad = paddedIntermediate - c.IntermediateSize;
            int batch = Math.Max(1, Environment.ProcessorCount / 2);
            for (int first = 0; first < c.NumLayers; first += batch)
            {
                int count = Math.Min(batch, c.NumLayers - first);
                var packed = PackBatch(artifact, first, count, pad);
                for (int b = 0; b < count; b++)
                {
                    int i = first + b;
                    var inputNorm = accelerator.Allocate1D(artifact.ReadFloat32(ArtifactTensors.InputNorm(i)));
                    buffers.Add(inputNorm);
                    var postNorm = accelerator.Allocate1D(artifact.ReadFloat32(ArtifactTensors.PostAttentionNorm(i)));
                    buffers.Add(postNorm);
                    var linears = new PackedW4Weights<TGranularity>[LinearNames.Length];
                    for (int l = 0; l < linears.Length; l++)
                    {
                        linears[l] = PackedW4Weights<TGranularity>.Upload(accelerator, packed[b * LinearNames.Length + l]);
                        buffers.Add(linears[l]);
                    }
                    layers[i] = new DeviceLayer<TGranularity>(inputNorm, postNorm,
                        linears[0], linears[1], linears[2], linears[3], linears[4], linears[5], linears[6]);
                }
            }
            return new DeviceWeights<TGranularity>(c, paddedIntermediate, embedding, lmHead, finalNorm, layers);
        }
        catch
        {
            foreach (var b in buffers) b.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Host-packed linears of layers first .. first + count - 1, layer-major in <see cref="LinearNames"/> order. A bad
    /// tensor surfaces as the exception it raised (the first one), not as an <see cref="AggregateException"/>.
    /// </summary>
    static HostPackedW4Weights[] PackBatch(ArtifactFile artifact, int first, int count, int intermediatePad)
    {
        var packed = new HostPackedW4Weights[count * LinearNames.Length];
        try
        {
            Parallel.For(0, packed.Length, j =>
            {
                string name = LinearNames[j % LinearNames.Length];
                var w = Pad(artifact.ReadLinear(first + j / LinearNames.Length, name),
                    rows: name is "mlp.gate_proj" or "mlp.up_proj" ? intermediatePad : 0, columns: name == "mlp.down_proj" ? intermediatePad : 0);
                packed[j] = PackedW4Weights<TGranularity>.Pack(w.Codes, w.ChannelScales, w.GroupScales, w.OutFeatures, w.InFeatures);
            });
        }
        catch (AggregateException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return packed;
    }

    /// <summary>A decoder layer's linears in <see cref="DeviceLayer{TGranularity}"/>'s constructor order.</summary>
    static readonly string[] LinearNames =
        ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"];

    /// <summary>Appends zero-weight output rows and input columns (codes for 0: 0 per-channel, the zero point 8 per-group).</summary>
    static QuantizedWeights Pad(QuantizedWeights w, int rows, int columns)
    {
        if (rows == 0 && columns == 0) return w;
        if (columns > 0 && w.Granularity is PerGroupGranularity)
            throw new InvalidOperationException("per-group weights never need input padding (their K is a multiple of the group size)");
        int n = w.OutFeatures + rows, k = w.InFeatures + columns;
        sbyte zero = (sbyte)(w.Granularity is PerGroupGranularity ? WeightGrid.GroupZeroPoint : 0);
        var codes = new sbyte[n * k];
        Array.Fill(codes, zero);
        for (int r = 0; r < w.OutFeatures; r++)
            w.Codes.Slice(r * w.InFeatures, w.InFeatures).CopyTo(codes.AsSpan(r * k));
        var channel = new float[n];
        w.ChannelScales.CopyTo(channel);
        System.Half[] group = [];
        if (w.Granularity is PerGroupGranularity pg)
        {
            int groups = k / pg.GroupSize;
            group = new System.Half[groups * n];
            for (int gi = 0; gi < groups; gi++)
                w.GroupScales.Slice(gi * w.OutFeatures, w.OutFeatures).CopyTo(group.AsSpan(gi * n));
        }
        return new QuantizedWeights(w.Granularity, n, k, codes, channel, group);
    }

    static Half[] ToIlgpu(System.Half[] values) => System.Runtime.InteropServices.MemoryMarshal.Cast<System.Half, Half>(values).ToArray();

    static string GranularityTypeName(int groupSize) => groupSize == 0 ? nameof(PerChannel) : $"PerGroup{groupSize}";

    public void Dispose()
    {
        foreach (var layer in Layers) layer.Dispose();
        _lmHead?.Dispose();
        Embedding.Dispose();
        FinalNorm.Dispose();
    }
}
