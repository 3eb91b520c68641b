using ILGPU;
using ILGPU.Runtime;
using QQQ.Runtime.Kernels.Layers;
using QQQ.TestSupport;
using Half = ILGPU.Half;

namespace QQQ.Bench;

/// <summary>
/// On the selected device: every non-GEMM layer kernel against its managed reference, judged as
/// tests/QQQ.Runtime.Tests/Layers judges it (bit for bit where both sides do the same fp32 operations, relative error
/// against the float64 reference elsewhere, int8 codes equal except at near-ties), at <see cref="LayerShape.Llama2_7B"/>
/// and <see cref="LayerShape.Odd"/>, on fresh random non-zero data with NaN-poisoned outputs. One line per check.
/// </summary>
sealed partial class LayerSelfTest(Accelerator accelerator, LayerKernels kernels)
{
    const float Eps = 1e-5f, Theta = 10000f;

    /// <summary>Token rows of the row-wise kernels: a decode step and a prefill chunk that is not a multiple of anything.</summary>
    static readonly int[] Rows = [1, 17];

    /// <summary>lm_head's rows: a decode step, and a prefill that ends in a partial block of its 4 token rows per group.</summary>
    static readonly int[] LmHeadRows = [1, 5];

    /// <summary>Runs every check on <paramref name="accelerator"/> and returns the failures.</summary>
    public static int Run(Accelerator accelerator)
    {
        using var kernels = new LayerKernels(accelerator);
        var test = new LayerSelfTest(accelerator, kernels);
        int failures = 0;
        foreach (var shape in new[] { LayerShape.Llama2_7B, LayerShape.Odd })
        {
            Console.WriteLine($"layers {shape}");
            foreach (int rows in Rows)
                failures += test.NormalizeQuantize(shape, rows) + test.Normalize(shape, rows) + test.Quantize(shape, rows)
                    + test.ActivateQuantize(shape, rows) + test.ResidualAdd(shape, rows) + test.Embedding(shape, rows)
                    + test.Rotary(shape, rows, RopeConvention.RotateHalf) + test.Rotary(shape, rows, RopeConvention.AdjacentPairs);
            foreach (var (rows, start) in AttentionCases) failures += test.Attention(shape, rows, start);
            foreach (int rows in LmHeadRows) failures += test.LmHead(shape, rows);
        }
        return failures;
    }

    int NormalizeQuantize(LayerShape shape, int rows)
    {
        var (random, seed) = Seeded();
        var x = RandomData.Floats(random, rows * shape.Hidden, 2f);
        var weight = RandomData.Floats(random, shape.Hidden);
        using var input = accelerator.Allocate1D(x);
        using var gamma = accelerator.Allocate1D(weight);
        using var quantized = RandomData.Poisoned(accelerator, x.Length, sbyte.MinValue);   // never a symmetric int8 code
        using var scales = RandomData.Poisoned(accelerator, rows, float.NaN);

        kernels.RmsNorm.NormalizeQuantize(input.View, gamma.View, rows, shape.Hidden, Eps, quantized.View, scales.View);

        var expectedQ = new sbyte[x.Length];
        var expectedScales = new float[rows];
        RmsNormKernels.ReferenceQuantized(x, weight, Eps, expectedQ, expectedScales);
        var normalized = new double[x.Length];
        RmsNormKernels.Reference(x, weight, Eps, normalized);
        return QuantizedReport("rmsnorm+quantize", $"rows={rows} hidden={shape.Hidden}", expectedQ, expectedScales, normalized,
            quantized, scales, shape.Hidden, seed);
    }

    int Normalize(LayerShape shape, int rows)
    {
        var (random, seed) = Seeded();
        var x = RandomData.Floats(random, rows * shape.Hidden, 2f);
        var weight = RandomData.Floats(random, shape.Hidden);
        using var input = accelerator.Allocate1D(x);
        using var gamma = accelerator.Allocate1D(weight);
        using var output = RandomData.Poisoned(accelerator, x.Length, float.NaN);

        kernels.RmsNorm.Normalize(input.View, gamma.View, rows, shape.Hidden, Eps, output.View);

        var expected = new double[x.Length];
        RmsNormKernels.Reference(x, weight, Eps, expected);
        double error = Numerics.RelativeError(output.GetAsArray1D(), expected);
        return Report("rmsnorm", $"rows={rows} hidden={shape.Hidden}", error < 1e-6, $"rel={error:0.0e+00}", seed);
    }

    /// <summary>The o_proj input: the attention output, heads * head_dim wide.</summary>
    int Quantize(LayerShape shape, int rows)
    {
        var (random, seed) = Seeded();
        int columns = shape.Heads * shape.HeadDim;
        var x = RandomData.Floats(random, rows * columns, 3f);
        using var input = accelerator.Allocate1D(x);
        using var quantized = RandomData.Poisoned(accelerator, x.Length, sbyte.MinValue);
        using var scales = RandomData.Poisoned(accelerator, rows, float.NaN);

        kernels.TokenQuantizer.Quantize(input.View, rows, columns, quantized.View, scales.View);

        var expectedQ = new sbyte[x.Length];
        var expectedScales = new float[rows];
        TokenQuantizer.Reference(x, columns, expectedQ, expectedScales);
        // Same fp32 inputs and the same IEEE division on both sides: bit-exact.
        int wrong = Agreement.Unequal(expectedScales, scales.GetAsArray1D()) + Agreement.Unequal(expectedQ, quantized.GetAsArray1D());
        return Report("quantize", $"rows={rows} columns={columns}", wrong == 0, $"wrong={wrong}", seed);
    }

    int ActivateQuantize(LayerShape shape, int rows)
    {
        var (random, seed) = Seeded();
        var gate = RandomData.Halves(random, rows * shape.Intermediate, 6f);
        var up = RandomData.Halves(random, rows * shape.Intermediate, 2f);
        using var gateBuffer = accelerator.Allocate1D(gate);
        using var upBuffer = accelerator.Allocate1D(up);
        using var quantized = RandomData.Poisoned(accelerator, gate.Length, sbyte.MinValue);
        using var scales = RandomData.Poisoned(accelerator, rows, float.NaN);

        kernels.GatedActivation.ActivateQuantize(gateBuffer.View, upBuffer.View, rows, shape.Intermediate, quantized.View, scales.View);

        var expectedQ = new sbyte[gate.Length];
        var expectedScales = new float[rows];
        GatedActivationKernel.ReferenceQuantized(gate, up, shape.Intermediate, expectedQ, expectedScales);
        var activated = new double[gate.Length];
        GatedActivationKernel.Reference(gate, up, activated);
        return QuantizedReport("silu*up+quantize", $"rows={rows} intermediate={shape.Intermediate}", expectedQ, expectedScales, activated,
            quantized, scales, shape.Intermediate, seed);
    }

    int ResidualAdd(LayerShape shape, int rows)
    {
        var (random, seed) = Seeded();
        var h = RandomData.Floats(random, rows * shape.Hidden, 4f);
        var delta = RandomData.Halves(random, rows * shape.Hidden);
        using var residual = accelerator.Allocate1D(h);   // updated in place: its input is the poison-free h
        using var deltaBuffer = accelerator.Allocate1D(delta);

        kernels.ResidualAdd.Add(residual.View, deltaBuffer.View);

        // One correctly rounded fp32 add per element on both sides: bit-exact.
        var expected = (float[])h.Clone();
        ResidualAddKernel.Reference(expected, delta);
        int wrong = Agreement.Unequal(expected, residual.GetAsArray1D());
        return Report("residual add", $"rows={rows} hidden={shape.Hidden}", wrong == 0, $"wrong={wrong}", seed);
    }

    int Embedding(LayerShape shape, int rows)
    {
        var (random, seed) = Seeded();
        var table = RandomData.Halves(random, shape.Vocab * shape.Hidden);
        var ids = Enumerable.Range(0, rows).Select(_ => random.Next(shape.Vocab)).ToArray();
        ids[0] = shape.Vocab - 1;   // the table's last row
        using var tableBuffer = accelerator.Allocate1D(table);
        using var output = RandomData.Poisoned(accelerator, rows * shape.Hidden, float.NaN);

        kernels.Embedding.Lookup(ids, tableBuffer.View, shape.Hidden, output.View);

        var expected = new float[rows * shape.Hidden];
        EmbeddingKernel.Reference(ids, table, shape.Hidden, expected);
        int wrong = Agreement.Unequal(expected, output.GetAsArray1D());   // fp16 -> fp32 is exact
        return Report("embedding", $"rows={rows} vocab={shape.Vocab} hidden={shape.Hidden}", wrong == 0, $"wrong={wrong}", seed);
    }

    /// <summary>q and k of rows at positions AttentionStart + m, where the tables' angles are large.</summary>
    int Rotary(LayerShape shape, int rows, RopeConvention convention)
    {
        var (random, seed) = Seeded();
        var heads = new AttentionShape(shape.Heads, shape.KeyValueHeads, shape.HeadDim);
        int positions = AttentionStart + rows;
        var q = RandomData.Halves(random, rows * heads.QueryWidth, 2f);
        var k = RandomData.Halves(random, rows * heads.KeyValueWidth, 2f);
        using var tables = new RotaryTables(accelerator, positions, shape.HeadDim, Theta);
        using var qBuffer = accelerator.Allocate1D(q);   // rotated in place
        using var kBuffer = accelerator.Allocate1D(k);

        kernels.Rotary.Apply(qBuffer.View, kBuffer.View, rows, AttentionStart, heads, tables, convention);

        var (cos, sin) = RotaryTables.Compute(positions, shape.HeadDim, Theta);
        var expectedQ = new double[q.Length];
        var expectedK = new double[k.Length];
        RotaryKernel.Reference(ToFloat(q), shape.Heads, shape.HeadDim, AttentionStart, cos, sin, convention, expectedQ);
        RotaryKernel.Reference(ToFloat(k), shape.KeyValueHeads, shape.HeadDim, AttentionStart, cos, sin, convention, expectedK);
        // The kernel rounds its fp32 result to fp16 (relative step 2^-11).
        double errorQ = Numerics.RelativeError(ToFloat(qBuffer.GetAsArray1D()), expectedQ);
        double errorK = Numerics.RelativeError(ToFloat(kBuffer.GetAsArray1D()), expectedK);
        return Report($"rope {convention}", $"rows={rows} start={AttentionStart} heads={shape.Heads}/{shape.KeyValueHeads}x{shape.HeadDim}",
            errorQ < 1e-3 && errorK < 1e-3, $"rel q={errorQ:0.0e+00} k={errorK:0.0e+00}", seed);
    }

    int LmHead(LayerShape shape, int rows)
    {
        var (random, seed) = Seeded();
        var x = RandomData.Floats(random, rows * shape.Hidden, 2f);
        var weight = RandomData.Halves(random, shape.Vocab * shape.Hidden);
        using var xBuffer = accelerator.Allocate1D(x);
        using var weightBuffer = accelerator.Allocate1D(weight);
        using var logits = RandomData.Poisoned(accelerator, rows * shape.Vocab, float.NaN);

        kernels.LmHead.Logits(xBuffer.View, weightBuffer.View, rows, shape.Hidden, logits.View);

        var expected = new double[rows * shape.Vocab];
        LmHeadKernel.Reference(x, weight, shape.Hidden, expected);
        double error = Numerics.RelativeError(logits.GetAsArray1D(), expected);
        return Report("lm_head", $"rows={rows} hidden={shape.Hidden} vocab={shape.Vocab}", error < 1e-6, $"rel={error:0.0e+00}", seed);
    }

    /// <summary>Scales within 1e-6 relative, codes equal except at near-ties (RmsNormTests, GatedActivationTests).</summary>
    static int QuantizedReport(string check, string sizes, sbyte[] expectedQ, float[] expectedScales, double[] referenceValues,
        MemoryBuffer1D<sbyte, Stride1D.Dense> quantized, MemoryBuffer1D<float, Stride1D.Dense> scales, int columns, int seed)
    {
        double error = Numerics.RelativeError(scales.GetAsArray1D(), Array.ConvertAll(expectedScales, s => (double)s));
        int wrong = QuantizedCodes.MismatchesOffTies(expectedQ, quantized.GetAsArray1D(), referenceValues, columns).Count;
        return Report(check, sizes, error < 1e-6 && wrong == 0, $"scales rel={error:0.0e+00} codes wrong={wrong}", seed);
    }

    /// <summary>A fresh generator and its seed, which the check's line prints.</summary>
    static (Random Random, int Seed) Seeded()
    {
        int seed = Random.Shared.Next();
        return (new Random(seed), seed);
    }

    static float[] ToFloat(Half[] values) => Array.ConvertAll(values, v => (float)v);

    /// <summary>Prints one check's line, as GemmSelfTest does; returns its failure count.</summary>
    static int Report(string check, string sizes, bool ok, string measure, int seed)
    {
        Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {check,-22} {sizes,-44} {measure} seed={seed}");
        return ok ? 0 : 1;
    }
}
