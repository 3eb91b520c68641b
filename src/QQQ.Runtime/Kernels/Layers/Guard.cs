using ILGPU;

namespace QQQ.Runtime.Kernels.Layers;

/// <summary>Host-side argument checks run before every launch, so a bad call never reaches a kernel.</summary>
static class Guard
{
    /// <summary>Dimensions and row counts must be at least 1.</summary>
    public static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentException($"{name} must be positive, got {value}", name);
    }

    /// <summary>A 1D launch size: positive and within the int range of <c>Index1D</c>.</summary>
    public static int LaunchSize(long length, string name)
    {
        if (length <= 0 || length > int.MaxValue)
            throw new ArgumentException($"{name} must hold between 1 and {int.MaxValue} elements, got {length}", name);
        return (int)length;
    }

    /// <summary>The view must hold exactly <paramref name="expected"/> elements (callers pass sub-views of larger buffers).</summary>
    public static void Length<T>(ArrayView<T> view, long expected, string name) where T : unmanaged
    {
        if (view.Length != expected)
            throw new ArgumentException($"{name} holds {view.Length} elements, expected {expected}", name);
    }
}
