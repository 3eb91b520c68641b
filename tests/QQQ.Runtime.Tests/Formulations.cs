using QQQ.Runtime.Kernels;

namespace QQQ.Runtime.Tests;

/// <summary>Public mirror of the internal <see cref="KernelFormulation"/> for theory data.</summary>
public enum Formulation
{
    Gpu = KernelFormulation.Gpu,
    Cpu = KernelFormulation.Cpu,
}

/// <summary>
/// Theory data per formulation. <c>Cross</c> runs each case on both; <c>CpuOnly</c> adds cases only the CPU
/// formulation runs: larger shapes that cost the GPU formulation seconds on the CPU accelerator (a rendezvous of
/// 128 OS threads per barrier) and check nothing the shared cases and the bit-identity tests do not.
/// </summary>
public static class Formulations
{
    static readonly Formulation[] All = [Formulation.Gpu, Formulation.Cpu];
    static readonly Formulation[] Cpu = [Formulation.Cpu];

    public static TheoryData<Formulation> Both => new(All);

    public static TheoryData<Formulation, T1> Cross<T1>(params T1[] cases) => Add(All, cases);

    public static TheoryData<Formulation, T1, T2> Cross<T1, T2>(params (T1, T2)[] cases) => Add(All, cases);

    public static TheoryData<Formulation, T1, T2> CpuOnly<T1, T2>(params (T1, T2)[] cases) => Add(Cpu, cases);

    public static TheoryData<Formulation, T1, T2, T3> Cross<T1, T2, T3>(params (T1, T2, T3)[] cases) => Add(All, cases);

    public static TheoryData<Formulation, T1, T2, T3> CpuOnly<T1, T2, T3>(params (T1, T2, T3)[] cases) => Add(Cpu, cases);

    public static TheoryData<Formulation, T1, T2, T3, T4> Cross<T1, T2, T3, T4>(params (T1, T2, T3, T4)[] cases) => Add(All, cases);

    public static TheoryData<Formulation, T1, T2, T3, T4, T5> Cross<T1, T2, T3, T4, T5>(params (T1, T2, T3, T4, T5)[] cases) =>
        Add(All, cases);

    public static TheoryData<Formulation, T1, T2, T3, T4, T5> CpuOnly<T1, T2, T3, T4, T5>(params (T1, T2, T3, T4, T5)[] cases) =>
        Add(Cpu, cases);

    static TheoryData<Formulation, T1> Add<T1>(Formulation[] formulations, T1[] cases)
    {
        var data = new TheoryData<Formulation, T1>();
        foreach (var f in formulations)
            foreach (var c in cases) data.Add(f, c);
        return data;
    }

    static TheoryData<Formulation, T1, T2> Add<T1, T2>(Formulation[] formulations, (T1, T2)[] cases)
    {
        var data = new TheoryData<Formulation, T1, T2>();
        foreach (var f in formulations)
            foreach (var c in cases) data.Add(f, c.Item1, c.Item2);
        return data;
    }

    static TheoryData<Formulation, T1, T2, T3> Add<T1, T2, T3>(Formulation[] formulations, (T1, T2, T3)[] cases)
    {
        var data = new TheoryData<Formulation, T1, T2, T3>();
        foreach (var f in formulations)
            foreach (var c in cases) data.Add(f, c.Item1, c.Item2, c.Item3);
        return data;
    }

    static TheoryData<Formulation, T1, T2, T3, T4> Add<T1, T2, T3, T4>(Formulation[] formulations, (T1, T2, T3, T4)[] cases)
    {
        var data = new TheoryData<Formulation, T1, T2, T3, T4>();
        foreach (var f in formulations)
            foreach (var c in cases) data.Add(f, c.Item1, c.Item2, c.Item3, c.Item4);
        return data;
    }

    static TheoryData<Formulation, T1, T2, T3, T4, T5> Add<T1, T2, T3, T4, T5>(Formulation[] formulations, (T1, T2, T3, T4, T5)[] cases)
    {
        var data = new TheoryData<Formulation, T1, T2, T3, T4, T5>();
        foreach (var f in formulations)
            foreach (var c in cases) data.Add(f, c.Item1, c.Item2, c.Item3, c.Item4, c.Item5);
        return data;
    }
}
