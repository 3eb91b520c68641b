using QQQ.Formats;
using QQQ.Formats.Tokenizers;
using QQQ.Quantization.Calibration;
using QQQ.Quantization.Pipeline;
using QQQ.Runtime.Devices;
using QQQ.TestSupport;

namespace QQQ.Runtime.Tests.Model;

/// <summary>
/// stories260K (dim 64, 5 layers, 8 heads / 4 kv heads, vocab 512) quantized once per test run: per-channel GPTQ on
/// 8 calibration windows of 128 tokens of tinystories-head.txt, smoothing off (it only rescales weights and folds
/// into the norms, nothing the runtime handles differently, and its threshold search costs minutes on 2 cores).
/// Also holds that text's tokens for evaluation. Everything lives in a temporary folder removed at the end.
/// </summary>
public sealed class Stories260KArtifact : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("qqq-runtime-model-").FullName;

    public Stories260KArtifact()
    {
        Path = System.IO.Path.Combine(_folder, "stories260K.qqq");
        try
        {
            using var checkpoint = CheckpointLoader.Open(SharedData.Stories260KBin);
            var tokenizer = TokenizerLoader.Open(SharedData.Stories260KTokenizer, checkpoint.Config.VocabSize);
            Tokens = tokenizer.Encode(File.ReadAllText(SharedData.Text("tinystories-head.txt")), addBos: true);
            var settings = new QuantizationSettings { Samples = 8, SequenceLength = 128, Smoothing = SmoothingMode.None };
            var windows = CalibrationSet.Sample([Tokens], settings.Samples, settings.SequenceLength, settings.Seed);
            var model = new LayerwiseQuantizer(settings).Quantize(checkpoint, windows);
            TestArtifacts.Write(Path, model, "stories260K", SharedData.Stories260KTokenizer);
        }
        catch
        {
            Dispose();   // xunit does not dispose a fixture whose constructor threw
            throw;
        }
    }

    public string Path { get; }

    /// <summary>[BOS] + tinystories-head.txt encoded (about 100k tokens).</summary>
    public int[] Tokens { get; }

    /// <summary>A path for a file derived from the artifact, inside the temporary folder.</summary>
    public string Scratch(string name) => System.IO.Path.Combine(_folder, name);

    public QQQModel<PerChannel> Load(QQQModelOptions? options = null) =>
        QQQModel<PerChannel>.Load(Path, (options ?? new QQQModelOptions()) with { Device = DeviceKind.Cpu });

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

[CollectionDefinition(Name)]
public sealed class Stories260KCollection : ICollectionFixture<Stories260KArtifact>
{
    public const string Name = "stories260K artifact";
}
