using QQQ.Formats;
using QQQ.Quantization.Reference;
using QQQ.Runtime.Kernels.Layers;
using QQQ.TestSupport;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using TorchRotary = QQQ.Quantization.Reference.RotaryEmbedding;

namespace QQQ.Runtime.Tests.Layers;

/// <summary>
/// The managed RoPE and attention references, composed, against the TorchSharp FP32 forward pass
/// (LlamaBlocks.AttentionCore: projections, rotate-half RoPE, GQA repeat, causal softmax, times V).
/// </summary>
public class AttentionReferenceTests
{
    const float Theta = 10000f;

    [Theory]
    [InlineData(3, 1, 24)]
    [InlineData(4, 2, 8)]
    [InlineData(2, 2, 8)]
    public void RotaryAndAttentionReferencesMatchAttentionCore(int heads, int kvHeads, int headDim)
    {
        const int tokens = 7;
        var shape = new AttentionShape(heads, kvHeads, headDim);
        int hidden = shape.QueryWidth;
        var config = new ModelConfig
        {
            ModelType = "llama", HiddenSize = hidden, IntermediateSize = 4, NumLayers = 1, NumHeads = heads,
            NumKeyValueHeads = kvHeads, VocabSize = 8, MaxSequenceLength = 64, RmsNormEps = 1e-5f, RopeTheta = Theta,
            TiedEmbeddings = false,
        };
        var random = new Random();
        Tensor Random(int rows, int columns) =>
            tensor(Numerics.RandomNonZero(random, rows * columns, 1f / MathF.Sqrt(columns)), [rows, columns]);
        using var scope = NewDisposeScope();
        var x = tensor(Numerics.RandomNonZero(random, tokens * hidden, 2f), [1, tokens, hidden]);
        using var weights = new DecoderLayerWeights
        {
            InputNorm = ones(hidden), QProj = Random(shape.QueryWidth, hidden), KProj = Random(shape.KeyValueWidth, hidden),
            VProj = Random(shape.KeyValueWidth, hidden), OProj = zeros(hidden, shape.QueryWidth), PostAttentionNorm = ones(hidden),
            GateProj = zeros(4, hidden), UpProj = zeros(4, hidden), DownProj = zeros(hidden, 4),
        };
        var (cos, sin) = TorchRotary.Tables(tokens, headDim, Theta);
        var expected = LlamaBlocks.AttentionCore(x, weights, config, cos, sin).data<float>().ToArray();   // (1, T, heads * head_dim)

        // The managed path starts from the same projections: q (T, heads * head_dim), k and v (T, kv_heads * head_dim).
        var q = F.linear(x, weights.QProj).data<float>().ToArray();
        var k = F.linear(x, weights.KProj).data<float>().ToArray();
        var v = F.linear(x, weights.VProj).data<float>().ToArray();
        var (tableCos, tableSin) = RotaryTables.Compute(tokens, headDim, Theta);
        var qRotated = new double[q.Length];
        var kRotated = new double[k.Length];
        RotaryKernel.Reference(q, heads, headDim, 0, tableCos, tableSin, RopeConvention.RotateHalf, qRotated);
        RotaryKernel.Reference(k, kvHeads, headDim, 0, tableCos, tableSin, RopeConvention.RotateHalf, kRotated);
        var actual = new double[q.Length];
        AttentionKernels.Reference(Array.ConvertAll(qRotated, d => (float)d), CacheLayout(Array.ConvertAll(kRotated, d => (float)d), shape, tokens),
            CacheLayout(v, shape, tokens), tokens, 0, shape, actual);

        Assert.True(Numerics.RelativeError(expected, actual) < 1e-5);
    }

    /// <summary>(T, kv_heads * head_dim) rows -> (kv_heads, T, head_dim), one layer of the cache with context T.</summary>
    static float[] CacheLayout(float[] rows, AttentionShape shape, int tokens)
    {
        var layer = new float[rows.Length];
        for (int t = 0; t < tokens; t++)
            for (int head = 0; head < shape.KeyValueHeads; head++)
                for (int d = 0; d < shape.HeadDim; d++)
                    layer[(head * tokens + t) * shape.HeadDim + d] = rows[t * shape.KeyValueWidth + head * shape.HeadDim + d];
        return layer;
    }
}
