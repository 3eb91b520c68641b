using QQQ.Runtime.Kernels.Layers;

namespace QQQ.Runtime.Tests.Layers;

/// <summary>The quantization rule itself, against the method's formula written independently with MathF.</summary>
public class TokenQuantizationTests
{
    [Theory]
    [InlineData(2.5f, 1f, 2)]      // ties go to even
    [InlineData(3.5f, 1f, 4)]
    [InlineData(-2.5f, 1f, -2)]
    [InlineData(-0.5f, 1f, 0)]
    [InlineData(127f, 1f, 127)]
    [InlineData(300f, 1f, 127)]    // clamped (only reachable with a scale not from this row's max)
    [InlineData(-300f, 1f, -128)]
    [InlineData(5f, 0f, 0)]        // zero row: scale 0 quantizes everything to 0
    public void QuantizeRoundsHalfToEvenAndClamps(float value, float scale, int expected) =>
        Assert.Equal(expected, TokenQuantization.Quantize(value, scale));

    [Fact]
    public void RowMaximumMapsToPlusOrMinus127()
    {
        var random = new Random();
        for (int i = 0; i < 1000; i++)
        {
            float absMax = (float)(random.NextDouble() * 100 + 1e-3);
            float scale = TokenQuantization.Scale(absMax);
            Assert.Equal(absMax / 127f, scale);
            Assert.Equal(127, TokenQuantization.Quantize(absMax, scale));
            Assert.Equal(-127, TokenQuantization.Quantize(-absMax, scale));
            float x = (float)(random.NextDouble() * 2 - 1) * absMax;
            Assert.Equal((sbyte)MathF.Round(x / scale, MidpointRounding.ToEven), TokenQuantization.Quantize(x, scale));
        }
    }
}
