using ILGPU;
using QQQ.Runtime.Kernels.Gemm;

namespace QQQ.Runtime.Kernels.Layers;

// CPU formulation: one single-thread group per token row, rotating all its q and k pairs with the GPU kernel's
// fp32 operations. The results are rounded to fp16 to nearest even (Fp16Bits), as CUDA's cvt.rn rounds the GPU
// formulation's (Half) casts (ILGPU's float-to-Half conversion on the CPU accelerator truncates instead, and ILGPU.Half
// has no public constructor from bits): q and k are viewed as raw fp16 bits.
public sealed partial class RotaryKernel
{
    static void CpuKernel(ArrayView<ushort> query, ArrayView<ushort> key, ArrayView<float> cos, ArrayView<float> sin,
        int start, int heads, int keyValueHeads, int headDim, int adjacentPairs)
    {
        int row = Grid.IdxX, half = headDim / 2;
        for (int head = 0; head < heads + keyValueHeads; head++)
            for (int pair = 0; pair < half; pair++)
            {
                int first = adjacentPairs != 0 ? 2 * pair : pair;
                int second = adjacentPairs != 0 ? 2 * pair + 1 : pair + half;
                long table = (long)(start + row) * half + pair;
                float c = cos[table], s = sin[table];
                if (head < heads)
                    RotateRounded(query, (long)row * heads * headDim + head * headDim, first, second, c, s);
                else
                    RotateRounded(key, (long)row * keyValueHeads * headDim + (head - heads) * headDim, first, second, c, s);
            }
    }

    static void RotateRounded(ArrayView<ushort> values, long offset, int first, int second, float cos, float sin)
    {
        float x0 = Fp16Bits.ToFloat(values[offset + first]), x1 = Fp16Bits.ToFloat(values[offset + second]);
        values[offset + first] = Fp16Bits.FromFloat(x0 * cos - x1 * sin);
        values[offset + second] = Fp16Bits.FromFloat(x1 * cos + x0 * sin);
    }
}
