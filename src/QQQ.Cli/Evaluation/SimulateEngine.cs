using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Quantization.Simulation;
using TorchSharp;
using static TorchSharp.torch;

namespace QQQ.Cli.Evaluation;

/// <summary>An artifact under the exact W4A8 simulation (TorchSharp; no KV cache: generation recomputes the prefix).</summary>
public sealed class SimulateEngine : ILanguageModelEngine
{
    readonly SimulatedModel _model;

    public SimulateEngine(ArtifactFile artifact)
    {
        torch.set_num_threads(Environment.ProcessorCount);
        _model = SimulatedModel.Load(artifact);
    }

    public ModelConfig Config => _model.Config;

    public int PreferredBatch => 4;

    public double[] WindowNll(IReadOnlyList<int[]> windows)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(windows.SelectMany(w => w.Select(t => (long)t)).ToArray(), [windows.Count, windows[0].Length]);
        return _model.WindowNll(ids);
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
