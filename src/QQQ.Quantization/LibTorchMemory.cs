using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace QQQ.Quantization;

/// <summary>
/// libtorch allocates and frees tensors of tens of megabytes at a high rate (attention scores, smoothing
/// candidates). With glibc's defaults each such block is a fresh mmap whose pages fault in again after every
/// munmap, and quantization spends more time in the kernel than computing (stories260K on 2 cores: 85 s, of
/// which 50 s system time). Keeping freed memory in the heap (no mmap for large blocks, no trimming) brings it
/// to 17 s. Done once, when this assembly loads, before any tensor exists.
/// </summary>
static partial class LibTorchMemory
{
    const int TrimThreshold = -1, MmapThreshold = -3;

#pragma warning disable CA2255 // The tuning must precede every libtorch allocation, whoever the caller is.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            mallopt(MmapThreshold, int.MaxValue);
            mallopt(TrimThreshold, int.MaxValue);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): nothing to tune.
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int parameter, int value);
}
