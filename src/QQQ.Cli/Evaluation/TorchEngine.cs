using QQQ.Formats;
using QQQ.Quantization.Reference;
using TorchSharp;
using static TorchSharp.torch;

namespace QQQ.Cli.Evaluation;

/// <summary>
/// A TorchSharp model (FP32 reference or exact W4A8 simulation) as an engine. No KV cache: generation
/// recomputes the prefix every step, which is fine for the small models these engines check.
/// </summary>
public sealed class TorchEngine : ILanguageModelEngine
{
    readonly ICausalLanguageModel _model;

    public TorchEngine(Func<ICausalLanguageModel> load)
    {
        torch.set_num_threads(Environment.ProcessorCount);
        _model = load();
    }

    public ModelConfig Config => _model.Config;

    public int PreferredBatch => 4;

    public double[] WindowNll(IReadOnlyList<int[]> windows)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(windows.SelectMany(w => w.Select(t => (long)t)).ToArray(), [windows.Count, windows[0].Length]);
        return CausalLm.WindowNll(_model.Logits, ids);
    }

    public float[] NextTokenLogits(IReadOnlyList<int> ids)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(ids.Select(t => (long)t).ToArray(), [1, ids.Count]);
        return _model.Logits(input)[0, ids.Count - 1].data<float>().ToArray();
    }

    public void Dispose() => _model.Dispose();
}
