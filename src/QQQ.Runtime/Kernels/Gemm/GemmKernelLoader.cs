using System.Reflection;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>
/// Loads the W4A8 kernels. On the CPU accelerator: ILGPU's ordinary path. On CUDA: compile to PTX, apply
/// <see cref="PtxPostProcessor"/>, optionally dump the result (<c>QQQ_DUMP_PTX=&lt;dir&gt;</c>, for
/// bench/ptxas-check.sh), and load the patched text through ILGPU's compiled-kernel path. That path's
/// <see cref="PTXCompiledKernel"/> constructor and <see cref="CompiledKernel"/>'s entry point are internal; they
/// are reached by reflection, which is why ILGPU is pinned to exactly 1.5.3.
/// </summary>
internal static class GemmKernelLoader
{
    /// <summary>Environment variable naming a folder to write each loaded kernel's patched PTX into.</summary>
    public const string DumpPtxEnvironmentVariable = "QQQ_DUMP_PTX";

    /// <summary>Dynamic shared memory a CUDA block gets without opting in per function.</summary>
    const int DefaultDynamicSharedLimit = 48 * 1024;

    /// <summary>CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES.</summary>
    const int MaxDynamicSharedSizeAttribute = 8;

    static readonly ConstructorInfo PtxCompiledKernelConstructor =
        typeof(PTXCompiledKernel).GetConstructor(
            BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public,
            [typeof(Context), typeof(EntryPoint), typeof(CompiledKernel.KernelInfo), typeof(string)])
        ?? throw new MissingMethodException("PTXCompiledKernel(Context, EntryPoint, KernelInfo, string) not found: is ILGPU still 1.5.3?");

    static readonly PropertyInfo EntryPointProperty =
        typeof(CompiledKernel).GetProperty("EntryPoint", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
        ?? throw new MissingMemberException("CompiledKernel.EntryPoint not found: is ILGPU still 1.5.3?");

    /// <summary>Loads an explicitly grouped kernel method; <paramref name="dynamicSharedBytes"/> is the most any launch will request.</summary>
    public static Kernel Load(Accelerator accelerator, MethodInfo kernel, int dynamicSharedBytes)
    {
        if (accelerator.AcceleratorType != AcceleratorType.Cuda) return accelerator.LoadKernel(kernel);

        var compiled = (PTXCompiledKernel)accelerator.CompileKernel(EntryPointDescription.FromExplicitlyGroupedKernel(kernel));
        string ptx = PtxPostProcessor.Apply(compiled.PTXAssembly);
        DumpIfRequested(kernel, ptx);
        var loaded = accelerator.LoadKernel(WithAssembly(compiled, ptx));
        if (dynamicSharedBytes > DefaultDynamicSharedLimit)
            AllowDynamicSharedMemory((CudaKernel)loaded, dynamicSharedBytes);
        return loaded;
    }

    /// <summary>The same compiled kernel (entry point, parameters, shared memory info) with other PTX text.</summary>
    public static PTXCompiledKernel WithAssembly(PTXCompiledKernel compiled, string ptx) =>
        (PTXCompiledKernel)PtxCompiledKernelConstructor.Invoke([compiled.Context, EntryPointProperty.GetValue(compiled), compiled.Info, ptx]);

    /// <summary>File name for a kernel instantiation, e.g. <c>W4A8MmaKernel.Kernel_PerGroup128_WideTiling.ptx</c>.</summary>
    public static string PtxFileName(MethodInfo kernel) =>
        $"{kernel.DeclaringType!.Name}.{kernel.Name}_{string.Join('_', kernel.GetGenericArguments().Select(t => t.Name))}.ptx";

    static void DumpIfRequested(MethodInfo kernel, string ptx)
    {
        string? folder = Environment.GetEnvironmentVariable(DumpPtxEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(folder)) return;
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, PtxFileName(kernel)), ptx);
    }

    /// <summary>cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES): without it a launch asking for more than 48 KB fails.</summary>
    static unsafe void AllowDynamicSharedMemory(CudaKernel kernel, int bytes)
    {
        var driver = NativeLibrary.Load(OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1");
        var setAttribute = (delegate* unmanaged<IntPtr, int, int, int>)NativeLibrary.GetExport(driver, "cuFuncSetAttribute");
        int error = setAttribute(kernel.FunctionPtr, MaxDynamicSharedSizeAttribute, bytes);
        if (error != 0)
            throw new InvalidOperationException($"cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES, {bytes}) failed with CUDA error {error}");
    }
}
