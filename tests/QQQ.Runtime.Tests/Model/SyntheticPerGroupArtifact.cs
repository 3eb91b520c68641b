using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Quantization.Pipeline;
using QQQ.Runtime.Devices;
using QQQ.TestSupport;

namespace QQQ.Runtime.Tests.Model;

/// <summary>
/// A per-group (g128) artifact with random weights, for the runtime's per-group path: per-group needs every K to be a
/// multiple of 128, which stories260K (dim 64) is not, and quantizing llama-sotu-26m takes too long for a test.
/// Hidden 128, intermediate 256, 2 layers, 4 heads of 32 over 2 kv heads (GQA), an untied lm_head, vocab 512 with
/// stories260K's tokenizer. Codes are uniform in [0, 15] and group scales near 1 / (4.6 sqrt(K)), so each linear
/// roughly keeps the scale of its input (4.6 is the spread of q - 8).
/// </summary>
public sealed class SyntheticPerGroupArtifact : IDisposable
{
    const int Hidden = 128, Intermediate = 256, Layers = 2, Heads = 4, KeyValueHeads = 2, Vocab = 512;

    /// <summary>Seed of the weights: fixed, as the bounds in <see cref="PerGroupTests"/> were measured on these weights.</summary>
    const int Seed = 128;

    readonly string _folder = Directory.CreateTempSubdirectory("qqq-runtime-g128-").FullName;

    public SyntheticPerGroupArtifact()
    {
        Path = System.IO.Path.Combine(_folder, "synthetic-g128.qqq");
        try
        {
            var config = new ModelConfig
            {
                ModelType = "llama", HiddenSize = Hidden, IntermediateSize = Intermediate, NumLayers = Layers, NumHeads = Heads,
                NumKeyValueHeads = KeyValueHeads, VocabSize = Vocab, MaxSequenceLength = 256, RmsNormEps = 1e-5f, RopeTheta = 10000f,
                TiedEmbeddings = false,
            };
            var random = new Random(Seed);
            float[] Around(int count, float center, float spread) =>
                [.. Enumerable.Range(0, count).Select(_ => center + spread * (float)(2 * random.NextDouble() - 1))];
            QuantizedLinear Linear(int layer, string name, int rows, int columns)
            {
                var codes = Enumerable.Range(0, rows * columns).Select(_ => (sbyte)random.Next(16)).ToArray();
                float scale = 1f / (4.6f * MathF.Sqrt(columns));
                return new QuantizedLinear(ArtifactTensors.Linear(layer, name), rows, columns, 128, codes, Around(rows * columns / 128, scale, scale / 2), 0);
            }
            int kv = KeyValueHeads * Hidden / Heads;
            var layers = Enumerable.Range(0, Layers).Select(l => new QuantizedLayer(
                Around(Hidden, 1f, 0.2f), Around(Hidden, 1f, 0.2f),
                [
                    Linear(l, LinearNames.Q, Hidden, Hidden), Linear(l, LinearNames.K, kv, Hidden), Linear(l, LinearNames.V, kv, Hidden),
                    Linear(l, LinearNames.O, Hidden, Hidden), Linear(l, LinearNames.Gate, Intermediate, Hidden),
                    Linear(l, LinearNames.Up, Intermediate, Hidden), Linear(l, LinearNames.Down, Hidden, Intermediate),
                ],
                new Dictionary<string, float[]>(), [], 0)).ToArray();
            var model = new QuantizedModel(config, new QuantizationSettings { GroupSize = 128, Weights = WeightMethod.Rtn, Smoothing = SmoothingMode.None },
                Around(Vocab * Hidden, 0f, 1.7f), Around(Hidden, 1f, 0.2f), Around(Vocab * Hidden, 0f, 0.15f), layers);
            TestArtifacts.Write(Path, model, "synthetic-g128", SharedData.Stories260KTokenizer);
        }
        catch
        {
            Dispose();   // xunit does not dispose a fixture whose constructor threw
            throw;
        }
    }

    public string Path { get; }

    public QQQModel<PerGroup128> Load(QQQModelOptions? options = null) =>
        QQQModel<PerGroup128>.Load(Path, (options ?? new QQQModelOptions()) with { Device = DeviceKind.Cpu });

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
