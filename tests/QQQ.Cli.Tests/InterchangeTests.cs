using System.Text.Json.Nodes;
using QQQ.Cli.Tests.Support;
using QQQ.Formats;
using QQQ.Formats.Artifacts;
using QQQ.Quantization.Simulation;
using static TorchSharp.torch;
using QQQ.TestSupport;

namespace QQQ.Cli.Tests;

/// <summary>
/// <c>qqq export --format qqq-hf</c> and its reverse, <c>qqq quantize --model &lt;QQQ checkpoint&gt;</c>, checked against
/// what the original QQQ code and vLLM expect (qqq-method.md §5) and against the artifact they came from.
/// </summary>
public class InterchangeTests
{
    static readonly string TinyStories = QqqProcess.Shared("data", "text", "tinystories-head.txt");
    static readonly string[] LinearNames =
        ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"];

    /// <summary>Quantizes the tiny model, exports it and converts the export back; returns the three paths.</summary>
    static (string Artifact, string Export, string Imported) RoundTrip(TempFolder folder, params string[] settings)
    {
        new TinyLlama().Write(folder.File("model"));
        string artifact = folder.File("tiny.qqq"), export = folder.File("tiny-hf"), imported = folder.File("imported.qqq");
        var quantized = QqqProcess.Run(["quantize", "--model", folder.File("model"), "--calibration", TinyStories, "--out", artifact,
            "--samples", "4", "--seq-len", "64", .. settings]);
        Assert.True(quantized.ExitCode == 0, quantized.Stderr);
        var exported = QqqProcess.Run("export", artifact, "--format", "qqq-hf", "--out", export);
        Assert.True(exported.ExitCode == 0, exported.Stderr);
        var converted = QqqProcess.Run("quantize", "--model", export, "--out", imported);
        Assert.True(converted.ExitCode == 0, converted.Stderr);
        return (artifact, export, imported);
    }

    static readonly long[] Ids = [1, 403, 261, 379, 107, 322, 280, 7, 11, 500, 2, 77];

    static float[] SimulatedLogits(string artifactPath)
    {
        using var artifact = ArtifactFile.Open(artifactPath);
        using var model = SimulatedModel.Load(artifact);
        using var noGrad = no_grad();
        using var ids = tensor(Ids, [1, Ids.Length]);
        using var logits = model.Logits(ids);
        return logits.data<float>().ToArray();
    }

    static void AssertSameLinears(string expectedPath, string actualPath)
    {
        using var expected = ArtifactFile.Open(expectedPath);
        using var actual = ArtifactFile.Open(actualPath);
        Assert.Equal(expected.Granularity, actual.Granularity);
        for (int layer = 0; layer < TinyLlama.Layers; layer++)
            foreach (var name in LinearNames)
            {
                var a = expected.ReadLinear(layer, name);
                var b = actual.ReadLinear(layer, name);
                Assert.Equal(a.Codes.ToArray(), b.Codes.ToArray());
                Assert.Equal(a.ChannelScales.ToArray(), b.ChannelScales.ToArray());
                Assert.Equal(a.GroupScales.ToArray(), b.GroupScales.ToArray());
            }
        Assert.Equal(expected.ReadHalf(ArtifactTensors.Embedding), actual.ReadHalf(ArtifactTensors.Embedding));
        Assert.Equal(expected.ReadHalf(ArtifactTensors.LmHead), actual.ReadHalf(ArtifactTensors.LmHead));
    }

    [Theory]
    [InlineData("per-channel", -1)]
    [InlineData("per-group", 128)]
    public void ExportMatchesTheQqqCheckpointLayout(string granularity, int groupSize)
    {
        using var folder = new TempFolder();
        var (_, export, _) = RoundTrip(folder, "--granularity", granularity, "--smooth", "none");

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(export, "config.json")))!.AsObject();
        Assert.Equal("LlamaForCausalLM", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal("float16", config["torch_dtype"]!.GetValue<string>());
        var quantization = config["quantization_config"]!.AsObject();
        Assert.Equal("qqq", quantization["quant_method"]!.GetValue<string>());
        Assert.Equal(4, quantization["wbits"]!.GetValue<int>());
        Assert.Equal(groupSize, quantization["group_size"]!.GetValue<int>());
        Assert.Equal(TinyLlama.Hidden, config["hidden_size"]!.GetValue<int>());
        Assert.True(File.Exists(Path.Combine(export, "tok512.bin")));

        // Names, dtypes and shapes as the reference QuantLinear registers them: B int32 (K/16, 2N), s_channel fp32 (1, N),
        // s_group fp16 (K/128, N) or an empty fp16 tensor per-channel; the rest fp16.
        using var file = SafetensorsFile.Open(Path.Combine(export, "model.safetensors"));
        var expected = new Dictionary<string, (string DType, int[] Shape)>
        {
            ["model.embed_tokens.weight"] = ("F16", [TinyLlama.Vocab, TinyLlama.Hidden]),
            ["lm_head.weight"] = ("F16", [TinyLlama.Vocab, TinyLlama.Hidden]),
            ["model.norm.weight"] = ("F16", [TinyLlama.Hidden]),
        };
        int h = TinyLlama.Hidden, i = TinyLlama.Intermediate;
        var shapes = new Dictionary<string, (int N, int K)>
        {
            ["self_attn.q_proj"] = (h, h), ["self_attn.k_proj"] = (h, h), ["self_attn.v_proj"] = (h, h), ["self_attn.o_proj"] = (h, h),
            ["mlp.gate_proj"] = (i, h), ["mlp.up_proj"] = (i, h), ["mlp.down_proj"] = (h, i),
        };
        for (int layer = 0; layer < TinyLlama.Layers; layer++)
        {
            expected[$"model.layers.{layer}.input_layernorm.weight"] = ("F16", [h]);
            expected[$"model.layers.{layer}.post_attention_layernorm.weight"] = ("F16", [h]);
            foreach (var (name, (n, k)) in shapes)
            {
                expected[$"model.layers.{layer}.{name}.B"] = ("I32", [k / 16, 2 * n]);
                expected[$"model.layers.{layer}.{name}.s_channel"] = ("F32", [1, n]);
                expected[$"model.layers.{layer}.{name}.s_group"] = groupSize == 128 ? ("F16", [k / 128, n]) : ("F16", [0]);
            }
        }
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), file.Tensors.Select(t => t.Name));
        foreach (var tensor in file.Tensors)
        {
            Assert.Equal(expected[tensor.Name].DType, tensor.DType.HeaderName());
            Assert.Equal(expected[tensor.Name].Shape, tensor.Shape);
        }
    }

    [Theory]
    [InlineData("per-channel")]
    [InlineData("per-group")]
    public void RoundTripKeepsLinearsAndLogitsExactly(string granularity)
    {
        // Without smoothing the norms are the source's fp16 values, which the fp16 checkpoint holds exactly.
        using var folder = new TempFolder();
        var (artifact, _, imported) = RoundTrip(folder, "--granularity", granularity, "--smooth", "none");
        AssertSameLinears(artifact, imported);
        Assert.Equal(SimulatedLogits(artifact), SimulatedLogits(imported));
    }

    [Fact]
    public void RoundTripOfASmoothedModelRoundsOnlyTheNormsToFp16()
    {
        using var folder = new TempFolder();
        var (artifact, _, imported) = RoundTrip(folder, "--granularity", "per-group");
        AssertSameLinears(artifact, imported);
        using (var a = ArtifactFile.Open(artifact))
        using (var b = ArtifactFile.Open(imported))
        {
            Assert.Equal("adaptive", b.Manifest.Quantization.Smoothing);
            Assert.Equal(a.Manifest.Calibration!.Files, b.Manifest.Calibration!.Files);
            Assert.Equal(a.Manifest.Calibration with { Files = [] }, b.Manifest.Calibration with { Files = [] });
            for (int layer = 0; layer < TinyLlama.Layers; layer++)
                foreach (var norm in new[] { ArtifactTensors.InputNorm(layer), ArtifactTensors.PostAttentionNorm(layer) })
                    Assert.Equal(a.ReadFloat32(norm).Select(v => (float)(Half)v), b.ReadFloat32(norm));
        }
        // fp16 norms move the int8 rounding of a few activations: small next to what W4A8 itself changes.
        var original = SimulatedLogits(artifact);
        var roundTrip = SimulatedLogits(imported);
        var fullPrecision = ReferenceLogits(folder.File("model"));
        double change = Rms(original, roundTrip), quantizationError = Rms(original, fullPrecision);
        Assert.True(change < 0.1 * quantizationError, $"round trip changes logits by {change} (RMS); W4A8 itself by {quantizationError}");
    }

    static double Rms(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Average());

    static float[] ReferenceLogits(string model)
    {
        using var checkpoint = CheckpointLoader.Open(model);
        using var reference = QQQ.Quantization.Reference.LlamaReferenceModel.Load(checkpoint);
        using var noGrad = no_grad();
        using var ids = tensor(Ids, [1, Ids.Length]);
        using var logits = reference.Logits(ids);
        return logits.data<float>().ToArray();
    }

    [Fact]
    public void ExportRefusesShapesTheReferenceKernelCannotTake()
    {
        using var folder = new TempFolder();
        var quantized = QqqProcess.Run("quantize", "--model", QqqProcess.Shared("models", "stories260K-hf"), "--calibration", TinyStories,
            "--out", folder.File("s.qqq"), "--samples", "2", "--seq-len", "32", "--smooth", "none", "--weights", "rtn");
        Assert.True(quantized.ExitCode == 0, quantized.Stderr);
        var result = QqqProcess.Run("export", folder.File("s.qqq"), "--format", "qqq-hf", "--out", folder.File("hf"));
        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(result.Stderr.Split('\n'), l => l.StartsWith("qqq:", StringComparison.Ordinal));
        Assert.Contains("in_features 64", error);
        Assert.Contains("out_features 172", error);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.False(Directory.Exists(folder.File("hf")));
    }

    [Fact]
    public void ConvertingACheckpointRefusesQuantizationOptions()
    {
        using var folder = new TempFolder();
        var (_, export, _) = RoundTrip(folder, "--smooth", "none", "--weights", "rtn");
        var result = QqqProcess.Run("quantize", "--model", export, "--out", folder.File("x.qqq"), "--calibration", TinyStories);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("already quantized", result.Stderr);
    }
}
