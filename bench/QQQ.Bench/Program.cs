using QQQ.Bench;

return args.FirstOrDefault() switch
{
    "selftest" => GemmSelfTest.Run(args[1..]),
    "gemm" => GemmTiming.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: qqq-bench selftest [--vectors <dir>]        W4A8 GEMM vs scalar reference (+ reference vectors) on QQQ_DEVICE
               qqq-bench gemm [--reps 15]                   GEMM timings (JSON lines) for the RESULTS.md shapes
        Whole models: qqq generate, qqq synth and qqq bench (the qqq command).
        """);
    return 2;
}
