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
        windows.Select(w => _model.NextTokenNll(w)).ToArray();

    public float[] NextTokenLogits(IReadOnlyList<int> ids)
    {
        var all = _model.Forward(ids.ToArray());
        return all.AsSpan(all.Length - Config.VocabSize).ToArray();
    }

    public IEnumerable<string> Generate(ITextTokenizer tokenizer, string prompt, int maxTokens, SamplingSettings sampling) =>
        _model.Generate(prompt, new GenerationSettings { MaxTokens = maxTokens, Sampling = sampling });

    public void Dispose() => _model.Dispose();
}
