using QQQ.Formats.W4A8;
using QQQ.TestSupport;
using static QQQ.Formats.Tests.W4A8.BitPatterns;

namespace QQQ.Formats.Tests.W4A8;

public class ReferenceLayoutTests
{
    [Theory]
    [Trait("Category", "ReferenceVectors")]
    [MemberData(nameof(ReferenceVectors.FileNames), MemberType = typeof(ReferenceVectors))]
    public void Pack_of_fake_quantized_weights_matches_the_reference_bit_for_bit(string fileName)
    {
        var vectors = ReferenceVectors.Load(fileName);
        var weights = FromFakeQuantized(vectors);

        if (weights.Granularity is PerGroupGranularity)
            Assert.Equal(Bits(vectors.Float32("s_extra")), Bits(weights.ChannelScales.ToArray()));
        var packed = ReferenceLayout.Pack(weights);

        Assert.Equal([vectors.InFeatures / 16, 2 * vectors.OutFeatures], vectors.Shape("B"));
        Assert.Equal(vectors.Int32("B"), packed.B.ToArray());
        Assert.Equal(Bits(vectors.Float32("s_channel")), Bits(packed.ChannelScales.ToArray()));
        if (vectors.GroupSize == -1)
            Assert.True(packed.GroupScales.IsEmpty);
        else
            Assert.Equal(Bits(vectors.Float16("s_group")), Bits(packed.GroupScales.ToArray()));
    }

    [Theory]
    [Trait("Category", "ReferenceVectors")]
    [MemberData(nameof(ReferenceVectors.FileNames), MemberType = typeof(ReferenceVectors))]
    public void Unpack_of_the_reference_tensors_gives_back_codes_and_scales(string fileName)
    {
        var vectors = ReferenceVectors.Load(fileName);
        var expected = FromFakeQuantized(vectors);

        var unpacked = ReferenceLayout.Unpack(ReferencePacked(vectors));

        Assert.Equal(expected.Granularity, unpacked.Granularity);
        Assert.Equal(expected.Codes.ToArray(), unpacked.Codes.ToArray());
        Assert.Equal(Bits(expected.ChannelScales.ToArray()), Bits(unpacked.ChannelScales.ToArray()));
        Assert.Equal(Bits(expected.GroupScales.ToArray()), Bits(unpacked.GroupScales.ToArray()));
        Assert.Equal(vectors.Int32("B"), ReferenceLayout.Pack(unpacked).B.ToArray());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(128)]
    public void Pack_then_unpack_is_the_identity_on_fresh_weights(int groupSize)
    {
        const int n = 192, k = 256;
        var random = new Random(11);
        var weights = RoundToNearest.Quantize(Numerics.RandomNonZero(random, n * k), n, k, Granularity.FromConfigGroupSize(groupSize));

        var roundTrip = ReferenceLayout.Unpack(ReferenceLayout.Pack(weights));

        Assert.Equal(weights.Codes.ToArray(), roundTrip.Codes.ToArray());
        Assert.Equal(Bits(weights.ChannelScales.ToArray()), Bits(roundTrip.ChannelScales.ToArray()));
        Assert.Equal(Bits(weights.GroupScales.ToArray()), Bits(roundTrip.GroupScales.ToArray()));
    }

    [Fact]
    public void Per_channel_code_minus_8_survives_the_round_trip()
    {
        const int n = 64, k = 128;
        var codes = Enumerable.Range(0, n * k).Select(i => (sbyte)(i % 16 - 8)).ToArray();
        var weights = new QuantizedWeights(Granularity.PerChannel, n, k, codes, Enumerable.Repeat(0.01f, n).ToArray(), []);

        Assert.Equal(codes, ReferenceLayout.Unpack(ReferenceLayout.Pack(weights)).Codes.ToArray());
    }

    [Theory]
    [InlineData(64, 192, -1, "in_features % 128")]
    [InlineData(96, 128, -1, "out_features % 64")]
    [InlineData(64, 128, 64, "group 64")]
    public void Pack_rejects_shapes_and_groups_the_reference_layout_lacks(int n, int k, int groupSize, string message)
    {
        var weights = RoundToNearest.Quantize(Numerics.RandomNonZero(new Random(3), n * k), n, k, Granularity.FromConfigGroupSize(groupSize));

        var error = Assert.ThrowsAny<ArgumentException>(() => ReferenceLayout.Pack(weights));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Packed_tensors_with_wrong_sizes_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new ReferencePackedWeights(64, 128, new int[8 * 128 - 1], new float[64], []));
        Assert.Throws<ArgumentException>(() => new ReferencePackedWeights(64, 128, new int[8 * 128], new float[63], []));
        Assert.Throws<ArgumentException>(() => new ReferencePackedWeights(64, 128, new int[8 * 128], new float[64], new Half[65]));
    }

    internal static QuantizedWeights FromFakeQuantized(ReferenceVectors vectors)
    {
        int n = vectors.OutFeatures, k = vectors.InFeatures;
        var granularity = Granularity.FromConfigGroupSize(vectors.GroupSize);
        var gridScales = vectors.Float16("scales");
        var codes = RoundToNearest.CodesFromFakeQuantized(vectors.Float16("w_fakequant"), gridScales, n, k, granularity);
        return QuantizedWeights.FromGridScales(granularity, n, k, codes, gridScales);
    }

    internal static ReferencePackedWeights ReferencePacked(ReferenceVectors vectors) =>
        new(vectors.OutFeatures, vectors.InFeatures, vectors.Int32("B"), vectors.Float32("s_channel"),
            vectors.GroupSize == -1 ? [] : vectors.Float16("s_group"));}
