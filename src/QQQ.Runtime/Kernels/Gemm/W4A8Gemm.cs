using System.Reflection;
using ILGPU;
using ILGPU.Runtime;

namespace QQQ.Runtime.Kernels.Gemm;

/// <summary>The kernel variants behind <see cref="W4A8Gemm{TGranularity}"/>; tests pin one to check each against the reference.</summary>
internal enum W4A8GemmKernel
{
    /// <summary>dp4a GEMV for up to <see cref="W4A8GemvKernel.MaxTokens"/> tokens.</summary>
    Gemv,

    /// <summary>Tensor-core mma, one 32-column tile per block, warps split K (<see cref="SplitKTiling"/>).</summary>
    SplitKMma,

    /// <summary>Tensor-core mma, 64 x 128 blocks (<see cref="WideTiling"/>).</summary>
    WideMma,

    /// <summary>One CPU thread per column pair and block of tokens (<see cref="W4A8CpuKernel"/>); what the CPU accelerator runs.</summary>
    Cpu,
}

/// <summary>
/// W4A8 GEMM on an ILGPU accelerator: D (M, N) fp16 = fp16(((float)acc * s_channel[n]) * s_tok[m]) with acc the
/// exact int32 sum over K of x_q (M, K) int8 times the int8-expanded 4-bit weights. Bit-exact with
/// <see cref="W4A8GemmReference"/>. Kernels are compiled per <typeparamref name="TGranularity"/> on first use
/// (on CUDA: PTX post-processed, see <see cref="PtxPostProcessor"/>). On the CPU accelerator <see cref="Run(ArrayView{sbyte}, ArrayView{float}, PackedW4Weights{TGranularity}, ArrayView{ILGPU.Half}, AcceleratorStream?)"/>
/// takes <see cref="W4A8CpuKernel"/>; the GPU kernels still run there (tests pin them) with managed stand-ins for the PTX instructions.
/// </summary>
public sealed class W4A8Gemm<TGranularity> : IDisposable
    where TGranularity : struct, IWeightGranularity
{
    /// <summary>Token counts up to this use the dp4a GEMV (decode).</summary>
    public const int GemvMaxTokens = W4A8GemvKernel.MaxTokens;

    /// <summary>Token counts above <see cref="GemvMaxTokens"/> and up to this use the split-K mma tiling; larger ones the wide tiling.</summary>
    public const int SplitKMaxTokens = 64;

    /// <summary>Each variant's kernel and launcher, loaded on first use (indexed by <see cref="W4A8GemmKernel"/>).</summary>
    readonly Lazy<(Kernel Kernel, Action<AcceleratorStream, KernelConfig, GemmArguments> Launch)>[] kernels;
    readonly int splitKSharedBytes, wideSharedBytes;
    readonly bool cpu;

    /// <summary>Prepares the kernels for <paramref name="accelerator"/>; each compiles on its first run (hundreds of ms on CUDA, once).</summary>
    public W4A8Gemm(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        Accelerator = accelerator;
        cpu = KernelFormulations.For(accelerator) == KernelFormulation.Cpu;
        bool emulateMma = accelerator.AcceleratorType != AcceleratorType.Cuda;
        splitKSharedBytes = W4A8MmaKernel.SharedBytes<SplitKTiling>(emulateMma);
        wideSharedBytes = W4A8MmaKernel.SharedBytes<WideTiling>(emulateMma);
        kernels = [.. Enum.GetValues<W4A8GemmKernel>().Select(variant =>
            new Lazy<(Kernel, Action<AcceleratorStream, KernelConfig, GemmArguments>)>(() =>
            {
                var kernel = GemmKernelLoader.Load(accelerator, KernelMethod(variant), variant switch
                {
                    W4A8GemmKernel.SplitKMma => splitKSharedBytes,
                    W4A8GemmKernel.WideMma => wideSharedBytes,
                    _ => 0,
                });
                return (kernel, kernel.CreateLauncherDelegate<Action<AcceleratorStream, KernelConfig, GemmArguments>>());
            }))];
    }

    /// <summary>The accelerator the kernels were loaded for.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>
    /// Queues D = W4A8(x_q, s_tok, weights) on <paramref name="stream"/> (default: the accelerator's default
    /// stream). M is <c>tokenScales.Length</c>.
    /// </summary>
    /// <param name="activations">x_q: (M, K) int8, row-major, starting 16-byte aligned.</param>
    /// <param name="tokenScales">s_tok: (M) fp32.</param>
    /// <param name="weights">Packed weights of (N, K), on the same accelerator.</param>
    /// <param name="output">D: (M, N) fp16, row-major, starting 4-byte aligned.</param>
    /// <param name="stream">Stream to queue on.</param>
    /// <exception cref="ArgumentException">Buffers of the wrong length or alignment, or weights from another accelerator.</exception>
    public void Run(
        ArrayView<sbyte> activations, ArrayView<float> tokenScales, PackedW4Weights<TGranularity> weights,
        ArrayView<ILGPU.Half> output, AcceleratorStream? stream = null)
    {
        int tokens = (int)tokenScales.Length;
        var kernel = cpu ? W4A8GemmKernel.Cpu
            : tokens <= GemvMaxTokens ? W4A8GemmKernel.Gemv
            : tokens <= SplitKMaxTokens ? W4A8GemmKernel.SplitKMma
            : W4A8GemmKernel.WideMma;
        Run(kernel, activations, tokenScales, weights, output, stream);
    }

    /// <summary><see cref="Run(ArrayView{sbyte}, ArrayView{float}, PackedW4Weights{TGranularity}, ArrayView{ILGPU.Half}, AcceleratorStream?)"/> with a chosen kernel.</summary>
    internal void Run(
        W4A8GemmKernel kernel, ArrayView<sbyte> activations, ArrayView<float> tokenScales,
        PackedW4Weights<TGranularity> weights, ArrayView<ILGPU.Half> output, AcceleratorStream? stream = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        int m = (int)tokenScales.Length, n = weights.OutputFeatures, k = weights.InputFeatures;
        if (weights.Accelerator != Accelerator)
            throw new ArgumentException("the weights live on another accelerator", nameof(weights));
        if (m <= 0) throw new ArgumentException("token scales are empty: M must be at least 1", nameof(tokenScales));
        if (kernel == W4A8GemmKernel.Gemv && m > GemvMaxTokens)
            throw new ArgumentException($"the GEMV kernel handles at most {GemvMaxTokens} tokens, got {m}", nameof(tokenScales));
        RequireView(activations, (long)m * k, 16, nameof(activations), "M * K");
        RequireView(tokenScales, m, 4, nameof(tokenScales), "M");
        RequireView(output, (long)m * n, 4, nameof(output), "M * N");

        var arguments = new GemmArguments
        {
            Activations = activations.Cast<int>(),
            TokenScales = tokenScales,
            Words = weights.Words,
            ChannelScales = weights.ChannelScales,
            GroupScales = weights.GroupScales,
            Output = output.Cast<int>(),
            ActivationsAddress = Accelerator.AcceleratorType == AcceleratorType.Cuda ? activations.LoadEffectiveAddressAsPtr().ToInt64() : 0,
            M = m,
            N = n,
            K = k,
        };
        int columnTiles = n / W4A8Shapes.ColumnTile, rowBlocks = (m + W4A8MmaKernel.BlockRows - 1) / W4A8MmaKernel.BlockRows;
        KernelConfig config = kernel switch
        {
            W4A8GemmKernel.Gemv => new KernelConfig(columnTiles, W4A8GemvKernel.ThreadsPerBlock),
            W4A8GemmKernel.SplitKMma => MmaConfig<SplitKTiling>(columnTiles, rowBlocks, splitKSharedBytes),
            W4A8GemmKernel.WideMma => MmaConfig<WideTiling>(columnTiles, rowBlocks, wideSharedBytes),
            W4A8GemmKernel.Cpu => new KernelConfig(W4A8CpuKernel.Groups(m, n), 1),
            _ => throw new ArgumentOutOfRangeException(nameof(kernel)),
        };
        kernels[(int)kernel].Value.Launch(stream ?? Accelerator.DefaultStream, config, arguments);
    }

    static KernelConfig MmaConfig<TTiling>(int columnTiles, int rowBlocks, int sharedBytes)
        where TTiling : struct, IMmaTiling
    {
        var tiling = default(TTiling);
        return new KernelConfig(
            new Index2D((columnTiles + tiling.WarpsN - 1) / tiling.WarpsN, rowBlocks),
            new Index2D(32 * tiling.WarpsN * tiling.WarpsK, 1),
            SharedMemoryConfig.RequestDynamic<byte>(sharedBytes));
    }

    static void RequireView<T>(ArrayView<T> view, long length, int alignment, string name, string expected)
        where T : unmanaged
    {
        if (!view.IsValid || view.Length != length)
            throw new ArgumentException($"{name} holds {view.Length} elements, expected {expected} = {length}", name);
        long address = view.LoadEffectiveAddressAsPtr().ToInt64();
        if (address % alignment != 0)
            throw new ArgumentException($"{name} must start at a {alignment}-byte aligned address (cp.async and packed stores)", name);
    }

    /// <summary>The kernel method (generic instantiation) behind each variant, for this granularity.</summary>
    internal static MethodInfo KernelMethod(W4A8GemmKernel kernel) => kernel switch
    {
        W4A8GemmKernel.Gemv => typeof(W4A8GemvKernel).GetMethod(nameof(W4A8GemvKernel.Kernel))!.MakeGenericMethod(typeof(TGranularity)),
        W4A8GemmKernel.SplitKMma => typeof(W4A8MmaKernel).GetMethod(nameof(W4A8MmaKernel.Kernel))!.MakeGenericMethod(typeof(TGranularity), typeof(SplitKTiling)),
        W4A8GemmKernel.WideMma => typeof(W4A8MmaKernel).GetMethod(nameof(W4A8MmaKernel.Kernel))!.MakeGenericMethod(typeof(TGranularity), typeof(WideTiling)),
        W4A8GemmKernel.Cpu => typeof(W4A8CpuKernel).GetMethod(nameof(W4A8CpuKernel.Kernel))!.MakeGenericMethod(typeof(TGranularity)),
        _ => throw new ArgumentOutOfRangeException(nameof(kernel)),
    };

    /// <summary>Unloads the kernels that were loaded.</summary>
    public void Dispose()
    {
        foreach (var kernel in kernels)
            if (kernel.IsValueCreated) kernel.Value.Kernel.Dispose();
    }
}
