namespace QQQ.Runtime.Kernels.Layers;

/// <summary>
/// Four consecutive fp32 values. Read from or written to a 16-byte aligned view (ArrayView&lt;float&gt;.Cast&lt;Float4&gt;()
/// of shared memory at a multiple of 4 floats), ILGPU's PTX backend moves all four with one ld/st.shared.v4.f32.
/// </summary>
readonly struct Float4(float x, float y, float z, float w)
{
    public readonly float X = x, Y = y, Z = z, W = w;

    /// <summary>Each element times <paramref name="factor"/>.</summary>
    public Float4 Times(float factor) => new(X * factor, Y * factor, Z * factor, W * factor);

    /// <summary>Each element plus <paramref name="weight"/> times the same element of <paramref name="value"/>.</summary>
    public Float4 PlusWeighted(float weight, Float4 value) =>
        new(X + weight * value.X, Y + weight * value.Y, Z + weight * value.Z, W + weight * value.W);

    /// <summary><paramref name="sum"/> plus the products of the elements of a and b, added one at a time, X first.</summary>
    public static float AddProducts(float sum, Float4 a, Float4 b)
    {
        sum += a.X * b.X;
        sum += a.Y * b.Y;
        sum += a.Z * b.Z;
        return sum + a.W * b.W;
    }

    /// <summary><paramref name="sum"/> plus a.X b.X, then a.Y b.Y: the last two elements of an even head_dim that is not a multiple of 4.</summary>
    public static float AddProductsXY(float sum, Float4 a, Float4 b)
    {
        sum += a.X * b.X;
        return sum + a.Y * b.Y;
    }
}
