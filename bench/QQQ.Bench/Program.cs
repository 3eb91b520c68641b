using QQQ.Bench;
using QQQ.Runtime.Devices;

return args.FirstOrDefault() switch
{
    "selftest" => SelfTest(args[1..]),
    "gemm" => GemmTiming.Run(args[1..]),
    _ => Usage(),
};

// The GEMM checks, then the layer kernels', on the device QQQ_DEVICE selects; exit code 1 if any failed.
static int SelfTest(string[] args)
{
    using var device = ComputeDevice.Open();
    Console.WriteLine($"device: {device.Kind} {device.Accelerator.Name}");
    int failures = GemmSelfTest.Run(device.Accelerator, args) + LayerSelfTest.Run(device.Accelerator);
    Console.WriteLine(failures == 0 ? "selftest: all passed" : $"selftest: {failures} FAILED");
    return failures == 0 ? 0 : 1;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: qqq-bench selftest [--vectors <dir>]        W4A8 GEMM vs scalar reference (+ reference vectors), then every
                                                            layer kernel vs its reference, on QQQ_DEVICE
               qqq-bench gemm [--reps 15]                   GEMM timings (JSON lines) for the RESULTS.md shapes
        Whole models: qqq generate, qqq synth and qqq bench (the qqq command).
        """);
    return 2;
}
