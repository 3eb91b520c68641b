namespace QQQ.Runtime.Devices;

/// <summary>Where kernels run. <see cref="Auto"/>: CUDA when an NVIDIA GPU is present, else the CPU accelerator.</summary>
public enum DeviceKind
{
    Auto,
    Cpu,
    Cuda,
}
