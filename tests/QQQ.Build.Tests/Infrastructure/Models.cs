using QQQ.TestSupport;

namespace QQQ.Build.Tests.Infrastructure;

/// <summary>
/// Model files for the tests. stories260K is the real model (hidden 64, intermediate 172: no group size
/// divides 172, so it can only be quantized per-channel); <see cref="WriteTinyLlama2C"/> writes a one-layer
/// model whose dimensions (64, 128) every supported group size divides, to test per-group builds quickly.
/// </summary>
internal static class Models
{
    public static string Stories260K => SharedData.Stories260KBin;
    public static string Stories260KTokenizer => SharedData.Stories260KTokenizer;
    public static string CalibrationText => SharedData.Text("tinystories-head.txt");

    /// <summary>Small calibration settings that keep a quantization to seconds.</summary>
    public const string FastCalibration = """CalibrationSamples="8" SequenceLength="64" Smoothing="None" """;

    /// <summary>
    /// Writes a llama2.c v0 checkpoint (7 int32 header fields, then float32 tensors; see QQQ.Formats'
    /// Llama2CLayout): dim 64, hidden 128, 1 layer, 4 heads, 4 key/value heads, stories260K's 512-token
    /// vocabulary (so tok512.bin tokenizes for it), context 128, tied classifier. Random weights with a fixed seed; BinaryWriter writes little-endian, as llama2.c files are.
    /// </summary>
    public static void WriteTinyLlama2C(string path)
    {
        const int dim = 64, hidden = 128, layers = 1, heads = 4, kvHeads = 4, vocab = 512, context = 128;
        int headSize = dim / heads, kvDim = kvHeads * headSize;
        var random = new Random(6);
        using var file = new BinaryWriter(File.Create(path));
        foreach (int field in new[] { dim, hidden, layers, heads, kvHeads, vocab, context }) file.Write(field);
        void Random(int count)
        {
            for (int i = 0; i < count; i++) file.Write((float)((random.NextDouble() - 0.5) * 0.1));
        }
        void Ones(int count)
        {
            for (int i = 0; i < count; i++) file.Write(1f);
        }
        Random(vocab * dim);                  // token embedding
        Ones(layers * dim);                   // attention norm
        Random(layers * dim * dim);           // wq
        Random(layers * kvDim * dim);         // wk
        Random(layers * kvDim * dim);         // wv
        Random(layers * dim * dim);           // wo
        Ones(layers * dim);                   // feed-forward norm
        Random(layers * hidden * dim);        // w1
        Random(layers * dim * hidden);        // w2
        Random(layers * hidden * dim);        // w3
        Ones(dim);                            // final norm
        Random(2 * context * headSize / 2);   // freq_cis_real and freq_cis_imag (unused)
    }

    /// <summary>Reads a manifest's quantization granularity and group size (the artifact's own record of its options).</summary>
    public static (string Granularity, int GroupSize) Quantization(string manifestPath)
    {
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifestPath));
        var section = json.RootElement.GetProperty("quantization");
        return (section.GetProperty("granularity").GetString()!, section.GetProperty("group_size").GetInt32());
    }

    /// <summary>Reads the seed recorded in a manifest's calibration section.</summary>
    public static int Seed(string manifestPath)
    {
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifestPath));
        return json.RootElement.GetProperty("calibration").GetProperty("seed").GetInt32();
    }
}
