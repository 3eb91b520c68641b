using System.Text.RegularExpressions;
using QQQ.Runtime.Kernels.Gemm;

namespace QQQ.Runtime.Tests.Gemm;

/// <summary>
/// The PTX rewrites, on the real GEMM kernels compiled to PTX without a GPU and on small hand-written cases
/// for the slots they must leave alone. (ptxas is not available here: bench/ptxas-check.sh checks the
/// dumped PTX on a GPU machine.)
/// </summary>
public class PtxPostProcessorTests
{
    const string Mma = "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32";

    [Theory]
    [InlineData(Granularity.PerChannel, W4A8GemmKernelTests.Variant.Gemv)]
    [InlineData(Granularity.PerChannel, W4A8GemmKernelTests.Variant.SplitKMma)]
    [InlineData(Granularity.PerGroup128, W4A8GemmKernelTests.Variant.Gemv)]
    [InlineData(Granularity.PerGroup128, W4A8GemmKernelTests.Variant.WideMma)]
    public void GemmKernelsUseNoLocalMemoryAfterPatching(Granularity granularity, W4A8GemmKernelTests.Variant variant) =>
        granularity.Run(new PatchedKernelCheck((W4A8GemmKernel)variant));

    sealed class PatchedKernelCheck(W4A8GemmKernel kernel) : IGranularityTest
    {
        public void Run<TGranularity>() where TGranularity : struct, IWeightGranularity
        {
            using var ptx = new GemmPtx();
            var compiled = ptx.Compile(W4A8Gemm<TGranularity>.KernelMethod(kernel));
            string original = compiled.PTXAssembly, patched = PtxPostProcessor.Apply(original);

            // The trap is real: ILGPU puts every CudaAsm operand into local memory.
            Assert.Contains("st.local.", original);
            Assert.DoesNotContain(".local", patched);
            Assert.DoesNotContain("__local_depot", patched);
            if (kernel != W4A8GemmKernel.Gemv) Assert.Contains(".extern .shared .align 16 .b8 __dyn_shared_alloca[];", patched);

            // The instructions survive, each as often as before.
            string[] expected = kernel == W4A8GemmKernel.Gemv
                ? ["dp4a.s32.s32", "cvt.rn.f16x2.f32"]
                : [Mma, "cp.async.cg.shared.global", "cp.async.wait_group 1;", "cvt.rn.f16x2.f32"];
            if (default(TGranularity).GroupSize != 0) expected = [.. expected, "fma.rn.f16x2", "prmt.b32", "lop3.b32"];
            foreach (string instruction in expected)
            {
                Assert.Contains(instruction, patched);
                Assert.Equal(Count(original, instruction), Count(patched, instruction));
            }
            if (kernel != W4A8GemmKernel.Gemv) Assert.Equal(16, Count(patched, Mma));

            // Every promoted register is declared once and only moved.
            foreach (Match use in Regex.Matches(patched, @"%qqq_local_depot\d+"))
                Assert.Single(Regex.Matches(patched, @"\.reg \.b32 " + use.Value + ";"));
        }
    }

    [Fact]
    public void PatchedPtxLoadsThroughTheCompiledKernelPath()
    {
        using var ptx = new GemmPtx();
        var compiled = ptx.Compile(W4A8Gemm<PerChannel>.KernelMethod(W4A8GemmKernel.Gemv));
        string patched = PtxPostProcessor.Apply(compiled.PTXAssembly);

        var rebuilt = GemmKernelLoader.WithAssembly(compiled, patched);

        Assert.Equal(patched, rebuilt.PTXAssembly);
        Assert.Equal(compiled.Name, rebuilt.Name);
        Assert.Equal(compiled.NumParameters, rebuilt.NumParameters);
        Assert.Same(compiled.Info, rebuilt.Info);
    }

    [Fact]
    public void PromotesAScalarSlotToARegister()
    {
        string ptx = Function(
            ".local .align 4 .b8 __local_depot0[4];",
            ".reg .b32 %r<4>;",
            ".reg .b64 %rd<6>;",
            "mov.b64\t%rd5, __local_depot0;",
            "st.local.b32\t[%rd5], 0;",
            "st.local.b32\t[%rd5], %r1;",
            "ld.local.b32\t%r2, [%rd5];",
            "dp4a.s32.s32 %r3, %r2, %r2, %r2;");

        string patched = PtxPostProcessor.PromoteLocalSlots(ptx);

        Assert.DoesNotContain(".local", patched);
        Assert.DoesNotContain("%rd5", patched);
        Assert.Contains(".reg .b32 %qqq_local_depot0;", patched);
        Assert.Contains("mov.b32\t%qqq_local_depot0, 0;", patched);
        Assert.Contains("mov.b32\t%qqq_local_depot0, %r1;", patched);
        Assert.Contains("mov.b32\t%r2, %qqq_local_depot0;", patched);
        Assert.Contains("dp4a.s32.s32 %r3, %r2, %r2, %r2;", patched);
    }

    [Theory]
    [InlineData("ld.local.b32\t%r2, [%rd5+4];", "an access at an offset")]
    [InlineData("add.u64\t%rd4, %rd5, 4;", "address arithmetic")]
    [InlineData("mov.b64\t%rd5, %rd3;", "a second definition of the address register")]
    [InlineData("ld.local.b16\t%rs1, [%rd5];", "a partial-width access")]
    [InlineData("mov.b64\t%rd4, __local_depot0;", "a second address of the slot")]
    public void LeavesSlotsThatAreNotPlainScalarsAlone(string extraLine, string why)
    {
        string ptx = Function(
            ".local .align 4 .b8 __local_depot0[4];",
            "mov.b64\t%rd5, __local_depot0;",
            "st.local.b32\t[%rd5], %r1;",
            extraLine,
            "ld.local.b32\t%r2, [%rd5];");

        Assert.True(ptx == PtxPostProcessor.PromoteLocalSlots(ptx), $"a slot with {why} must not be rewritten");
    }

    [Fact]
    public void LeavesArraysAlone()
    {
        string ptx = Function(
            ".local .align 4 .b8 __local_depot0[64];",
            "mov.b64\t%rd5, __local_depot0;",
            "st.local.b32\t[%rd5], %r1;");

        Assert.Equal(ptx, PtxPostProcessor.PromoteLocalSlots(ptx));
    }

    [Fact]
    public void TreatsEachFunctionAndRegisterNameSeparately()
    {
        // %rd5 is a slot address in the first function only; %rd50 is a different register.
        string first = Function(
            ".local .align 8 .b8 __local_depot0[8];",
            "mov.b64\t%rd5, __local_depot0;",
            "st.local.u64\t[%rd5], %rd50;",
            "ld.local.u64\t%rd51, [%rd5];");
        string second = Function(
            ".local .align 4 .b8 __local_depot0[4];",
            "mov.b64\t%rd6, __local_depot0;",
            "add.u64\t%rd5, %rd6, 0;",
            "st.local.b32\t[%rd6], %r1;");

        string patched = PtxPostProcessor.PromoteLocalSlots(first + second);

        Assert.Equal(PtxPostProcessor.PromoteLocalSlots(first) + second, patched);
        Assert.Contains(".reg .b64 %qqq_local_depot0;", patched);
        Assert.Contains("mov.b64\t%qqq_local_depot0, %rd50;", patched);
        Assert.Contains("mov.b64\t%rd51, %qqq_local_depot0;", patched);
    }

    [Theory]
    [InlineData(4, 16)]
    [InlineData(16, 16)]
    [InlineData(128, 128)]
    public void RaisesDynamicSharedMemoryAlignmentToAtLeast16(int declared, int expected)
    {
        string ptx = $".extern .shared .align {declared} .b8 __dyn_shared_alloca[];\n";
        Assert.Equal($".extern .shared .align {expected} .b8 __dyn_shared_alloca[];\n", PtxPostProcessor.AlignDynamicSharedMemory(ptx));
    }

    static string Function(params string[] body) =>
        ".visible .entry Kernel_Test(\n\t.param .b32 _n\n)\n{\n" + string.Concat(body.Select(line => "\t" + line + "\n")) + "\tret;\n}\n";

    static int Count(string text, string value) => Regex.Matches(text, Regex.Escape(value)).Count;
}
