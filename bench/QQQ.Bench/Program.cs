using QQQ.Bench;

return args.FirstOrDefault() switch
{
    "selftest" => GemmSelfTest.Run(args[1..]),
    "gemm" => GemmTiming.Run(args[1..]),
    "generate" => EndToEnd.Generate(args[1..]),
    "e2e" => EndToEnd.Speed(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: qqq-bench selftest [--vectors <dir>]        W4A8 GEMM vs scalar reference (+ reference vectors) on QQQ_DEVICE
               qqq-bench gemm [--reps 15]                   GEMM timings (JSON lines) for the RESULTS.md shapes
               qqq-bench generate <artifact> [tokens]       greedy text from BOS
               qqq-bench e2e <shape> <pc|g128> <tokenizer>  prefill/decode tokens/s on a synthetic artifact
        """);
    return 2;
}
