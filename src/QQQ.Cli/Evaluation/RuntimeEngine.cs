using QQQ.Formats;
using QQQ.Runtime;
using QQQ.Runtime.Devices;
using QQQ.Runtime.Generation;

namespace QQQ.Cli.Evaluation;

/// <summary>An artifact on the ILGPU runtime (CUDA or the CPU accelerator), with its KV cache for generation.</summary>
public sealed class RuntimeEngine<TGranularity> : ILanguageModelEngine where TGranularity : struct, IWeightGranularity
{
    readonly QQQModel<TGranularity> _model;

    public RuntimeEngine(string artifactPath, DeviceKind device) =>
        _model = QQQModel<TGranularity>.Load(artifactPath, new QQQModelOptions { Device = device });

    public ModelConfig Config => _model.Config;

    public int PreferredBatch => 1;

    public DeviceKind Device => _model.Device;

    public double[] WindowNll(IReadOnlyList<int[]> windows) =>
        windows.Select(w => NextTokenNll(_model.Forward(w), w, Config.VocabSize)).ToArray();

    public float[] NextTokenLogits(IReadOnlyList<int> ids)
    {
        var all = _model.Forward(ids.ToArray());
        return all.AsSpan(all.Length - Config.VocabSize).ToArray();
    }

    public IEnumerable<string> Generate(ITextTokenizer tokenizer, string prompt, int maxTokens, SamplingSettings sampling) =>
        _model.Generate(prompt, new GenerationSettings { MaxTokens = maxTokens, Sampling = sampling });

    /// <summary>Σ -log softmax(logits[t])[ids[t+1]] over t &lt; T-1, in float64. logits: (T, vocab).</summary>
    static double NextTokenNll(float[] logits, int[] ids, int vocab)
    {
        double total = 0;
        for (int t = 0; t + 1 < ids.Length; t++)
        {
            var row = logits.AsSpan(t * vocab, vocab);
            float max = float.NegativeInfinity;
            foreach (var v in row) max = MathF.Max(max, v);
            double sum = 0;
            foreach (var v in row) sum += Math.Exp(v - max);
            total += Math.Log(sum) + max - row[ids[t + 1]];
        }
        return total;
    }

    public void Dispose() => _model.Dispose();
}
