namespace QQQ.Runtime.Kernels.Layers;

/// <summary>Which elements of a head RoPE rotates together; both use angle pos * inv_freq[i] for pair i.</summary>
public enum RopeConvention
{
    /// <summary>HF "rotate half": pair i is (x[i], x[i + d/2]). The convention every loaded checkpoint is normalised to.</summary>
    RotateHalf,

    /// <summary>llama2.c / Meta original: pair i is (x[2i], x[2i + 1]).</summary>
    AdjacentPairs,
}
