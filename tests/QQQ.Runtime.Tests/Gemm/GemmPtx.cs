using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace QQQ.Runtime.Tests.Gemm;

/// <summary>Compiles kernels to PTX with no GPU: a PTX backend on a CPU-only ILGPU context.</summary>
internal sealed class GemmPtx : IDisposable
{
    readonly Context context = Context.Create(builder => builder.CPU().Optimize(OptimizationLevel.O2));
    readonly PTXBackend backend;

    public GemmPtx() =>
        backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_80), CudaArchitecture.SM_80, CudaInstructionSet.ISA_80, null!);

    public PTXCompiledKernel Compile(MethodInfo kernel) =>
        (PTXCompiledKernel)backend.Compile(EntryPointDescription.FromExplicitlyGroupedKernel(kernel), KernelSpecialization.Empty);

    public void Dispose()
    {
        backend.Dispose();
        context.Dispose();
    }
}
