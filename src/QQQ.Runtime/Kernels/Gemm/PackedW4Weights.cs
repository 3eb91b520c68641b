using ILGPU;
using ILGPU.Runtime;

namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>
/// One quantized linear's weights on a device, in the kernels' own layout (<see cref="W4A8Layout"/>): 4-bit
/// weights packed 8 per int32 in mma fragment order, fp32 channel scales and, for per-group weights, fp16
/// group scales rearranged so a lane loads its four columns' scales at once. Created once at load time from
/// natural-order integers; owns its device buffers.
/// </summary>
public sealed class PackedW4Weights<TGranularity> : IDisposable
    where TGranularity : struct, IWeightGranularity
{
    readonly MemoryBuffer1D<int, Stride1D.Dense> words;
    readonly MemoryBuffer1D<float, Stride1D.Dense> channelScales;
    readonly MemoryBuffer1D<int, Stride1D.Dense> groupScales;
    bool disposed;

    PackedW4Weights(Accelerator accelerator, int outputFeatures, int inputFeatures, int[] words, float[] channelScales, int[] groupScales)
    {
        Accelerator = accelerator;
        OutputFeatures = outputFeatures;
        InputFeatures = inputFeatures;
        this.words = accelerator.Allocate1D(words);
        this.channelScales = accelerator.Allocate1D(channelScales);
        this.groupScales = accelerator.Allocate1D(groupScales);
    }

    /// <summary>
    /// Packs and uploads natural-order weights. Shapes: N % 32 == 0, K % 32 == 0, K % G == 0.
    /// </summary>
    /// <param name="accelerator">Device that will run the GEMMs.</param>
    /// <param name="weights">q: (N, K) row-major; per-channel in [-7, 7], per-group in [0, 15] (zero point 8).</param>
    /// <param name="channelScales">s_channel: (N) fp32 (per-channel: already divided by 16).</param>
    /// <param name="groupScales">s_group: (K / G, N) fp16 for per-group weights; empty for per-channel.</param>
    /// <param name="outputFeatures">N.</param>
    /// <param name="inputFeatures">K.</param>
    /// <exception cref="ArgumentException">Unsupported shape, wrong lengths, values out of range, or a group scale
    /// that would make an int8 weight wider than 127.</exception>
    public static PackedW4Weights<TGranularity> Upload(
        Accelerator accelerator, ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> channelScales,
        ReadOnlySpan<System.Half> groupScales, int outputFeatures, int inputFeatures)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        return Upload(accelerator, Pack(weights, channelScales, groupScales, outputFeatures, inputFeatures));
    }

    /// <summary>
    /// The host half of <see cref="Upload(Accelerator, ReadOnlySpan{sbyte}, ReadOnlySpan{float}, ReadOnlySpan{System.Half}, int, int)"/>:
    /// validates and packs, touching no device, so a model's linears can be packed on many threads and uploaded on one.
    /// </summary>
    public static HostPackedW4Weights Pack(
        ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> channelScales, ReadOnlySpan<System.Half> groupScales, int outputFeatures, int inputFeatures)
    {
        int groupSize = default(TGranularity).GroupSize;
        W4A8Shapes.ValidateWeights(weights, channelScales, groupScales, outputFeatures, inputFeatures, groupSize);
        // Per-channel kernels never read group scales; one element keeps the view valid.
        int[] packedScales = groupSize == 0 ? [0] : W4A8Layout.PackGroupScales(groupScales, outputFeatures, inputFeatures, groupSize);
        return new HostPackedW4Weights(outputFeatures, inputFeatures,
            W4A8Layout.PackWords(weights, outputFeatures, inputFeatures), channelScales.ToArray(), packedScales);
    }

    /// <summary>Uploads weights that <see cref="Pack"/> prepared.</summary>
    public static PackedW4Weights<TGranularity> Upload(Accelerator accelerator, HostPackedW4Weights packed)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentNullException.ThrowIfNull(packed);
        return new PackedW4Weights<TGranularity>(
            accelerator, packed.OutputFeatures, packed.InputFeatures, packed.Words, packed.ChannelScales, packed.GroupScales);
    }

    /// <summary>The accelerator holding the buffers.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>N, output features (rows of the natural-order weight matrix).</summary>
    public int OutputFeatures { get; }

    /// <summary>K, input features.</summary>
    public int InputFeatures { get; }

    internal ArrayView<int> Words => Live(words).View;

    internal ArrayView<float> ChannelScales => Live(channelScales).View;

    internal ArrayView<int> GroupScales => Live(groupScales).View;

    T Live<T>(T buffer)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return buffer;
    }

    /// <summary>Frees the device buffers.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        words.Dispose();
        channelScales.Dispose();
        groupScales.Dispose();
    }
}

/// <summary>One linear's weights in the kernels' layout, still on the host (see <see cref="PackedW4Weights{TGranularity}.Pack"/>).</summary>
public sealed record HostPackedW4Weights(int OutputFeatures, int InputFeatures, int[] Words, float[] ChannelScales, int[] GroupScales);
