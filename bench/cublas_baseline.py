"""fp16 and int8 cuBLAS (PyTorch) times for the W4A8 GEMM shapes, timed the same way as qqq-bench gemm.

Weights rotate over copies totalling more than 4x the 50 MiB L2 (they come from HBM); each repetition
times a batch of launches with CUDA events; the median of 15 repetitions is reported, one JSON object per
line. int8 cuBLAS (torch._int_mm) rejects M <= 16, so those rows are timed with M padded to 32 (as in
../shared/docs/performance-anchors.md).
"""
import json
import statistics
import torch

SHAPES = [(4096, 4096), (11008, 4096)]
TOKENS = [1, 16, 64, 256, 1024]
ROTATION_BYTES = 4 * 50 * 1024 * 1024
REPS = 15


def time_batch(fn, copies, launches):
    for i in range(copies):
        fn(i)
    torch.cuda.synchronize()
    times = []
    for _ in range(REPS):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for i in range(launches):
            fn(i % copies)
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) * 1000 / launches)
    return statistics.median(times)


def main():
    torch.manual_seed(0)
    for n, k in SHAPES:
        copies16 = max(2, ROTATION_BYTES // (n * k * 2))
        copies8 = max(2, ROTATION_BYTES // (n * k))
        w16 = [torch.randn(n, k, device="cuda", dtype=torch.float16) for _ in range(copies16)]
        w8 = [torch.randint(-127, 128, (n, k), device="cuda", dtype=torch.int8) for _ in range(copies8)]
        for m in TOKENS:
            x16 = torch.randn(m, k, device="cuda", dtype=torch.float16)
            us = time_batch(lambda i: x16 @ w16[i].t(), copies16, max(copies16, 20))
            print(json.dumps({"kernel": "fp16_cublas", "n": n, "k": k, "m": m, "us": round(us, 2)}), flush=True)
            mp = max(m, 32)
            x8 = torch.randint(-127, 128, (mp, k), device="cuda", dtype=torch.int8)
            us = time_batch(lambda i: torch._int_mm(x8, w8[i].t()), copies8, max(copies8, 20))
            print(json.dumps({"kernel": "int8_cublas", "n": n, "k": k, "m": m, "padded_m": mp, "us": round(us, 2)}), flush=True)
        del w16, w8
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
