using QQQ.Runtime.Devices;

namespace QQQ.Runtime;

/// <summary>How an artifact is loaded.</summary>
public sealed record QQQModelOptions
{
    /// <summary>Where kernels run; <see cref="DeviceKind.Auto"/> (default) honours <c>QQQ_DEVICE</c>, then picks CUDA if present.</summary>
    public DeviceKind Device { get; init; } = DeviceKind.Auto;

    /// <summary>Longest sequence (prompt + generated tokens) the KV cache holds; default and maximum: the model's context.</summary>
    public int? ContextLength { get; init; }

    /// <summary>Most prompt tokens run through the layers at once (bounds activation memory); default 512.</summary>
    public int PrefillChunk { get; init; } = 512;
}
