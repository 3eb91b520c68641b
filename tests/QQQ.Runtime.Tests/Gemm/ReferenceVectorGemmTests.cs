using ILGPU;
using ILGPU.Runtime;
using QQQ.Formats.W4A8;
using QQQ.Runtime.Kernels.Gemm;
using QQQ.TestSupport;

namespace QQQ.Runtime.Tests.Gemm;

/// <summary>
/// The runtime's W4A8 GEMM on the CPU accelerator reproduces the original QQQ CUDA kernel's outputs d_mM
/// bit for bit, from the reference packed weights (unpacked to natural order, repacked into the runtime's
/// layout) and the reference's own int8 activations and token scales.
/// </summary>
public class ReferenceVectorGemmTests(CpuDeviceFixture fixture) : IClassFixture<CpuDeviceFixture>
{
    [Theory]
    [Trait("Category", "ReferenceVectors")]
    [MemberData(nameof(ReferenceVectors.FileNamesAndTokenCounts), MemberType = typeof(ReferenceVectors))]
    public void ReproducesReferenceKernelOutputs(string fileName, int m)
    {
        var vectors = ReferenceVectors.Load(fileName);
        var packed = new ReferencePackedWeights(vectors.OutFeatures, vectors.InFeatures, vectors.Int32("B"), vectors.Float32("s_channel"),
            vectors.GroupSize > 0 ? vectors.Float16("s_group") : []);
        var weights = ReferenceLayout.Unpack(packed);
        var expected = vectors.Float16($"d_m{m}");
        var actual = vectors.GroupSize > 0
            ? Run<PerGroup128>(weights, vectors.Int8($"xq_m{m}"), vectors.Float32($"s_tok_m{m}"), m)
            : Run<PerChannel>(weights, vectors.Int8($"xq_m{m}"), vectors.Float32($"s_tok_m{m}"), m);
        Assert.Equal(expected.Select(BitConverter.HalfToUInt16Bits), actual.Select(BitConverter.HalfToUInt16Bits));
    }

    System.Half[] Run<TG>(QuantizedWeights w, sbyte[] x, float[] scales, int m) where TG : struct, IWeightGranularity
    {
        var accelerator = fixture.Device.Accelerator;
        using var packed = PackedW4Weights<TG>.Upload(accelerator, w.Codes, w.ChannelScales, w.GroupScales, w.OutFeatures, w.InFeatures);
        using var xBuffer = accelerator.Allocate1D(x);
        using var sBuffer = accelerator.Allocate1D(scales);
        using var output = accelerator.Allocate1D(Enumerable.Repeat(ILGPU.Half.NaN, m * w.OutFeatures).ToArray());
        fixture.Gemm<TG>().Run(xBuffer.View, sBuffer.View, packed, output.View);
        accelerator.Synchronize();
        return output.GetAsArray1D().Select(h => (System.Half)(float)h).ToArray();
    }
}
