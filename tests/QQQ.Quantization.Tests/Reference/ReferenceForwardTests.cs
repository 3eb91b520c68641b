using System.Text.Json;
using QQQ.Formats;
using QQQ.Quantization.Reference;
using QQQ.TestSupport;
using static TorchSharp.torch;

namespace QQQ.Quantization.Tests.Reference;

/// <summary>The FP32 forward pass against numbers computed by Hugging Face transformers.</summary>
public class ReferenceForwardTests
{
    [Fact]
    public void LlamaSotuLogitsMatchTransformersFp32()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.LlamaSotu, "reference.json")));
        var logitsFile = reference.RootElement.GetProperty("reference").GetProperty("logits_file");
        var ids = logitsFile.GetProperty("input_ids").EnumerateArray().Select(e => (long)e.GetInt32()).ToArray();
        var expected = Npy.Read(Path.Combine(SharedData.LlamaSotu, "wiki64_logits_fp32.npy"));
        Assert.Equal([64, 32000], expected.Shape);

        using var checkpoint = CheckpointLoader.Open(SharedData.LlamaSotu);
        using var model = LlamaReferenceModel.Load(checkpoint);
        using var noGrad = no_grad();
        using var input = tensor(ids, [1, ids.Length]);
        using var logits = model.Logits(input);
        var actual = logits.data<float>().ToArray();

        double maxDifference = Numerics.MaxAbsDifference(actual, expected.AsFloat32());
        Assert.True(maxDifference < 1e-3, $"max |logit difference| = {maxDifference}");
    }

    [Theory]
    [InlineData("llama2c")]
    [InlineData("hf")]
    public void Stories260KGreedyFromBosMatchesReferenceIds(string format)
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.Stories260KHf, "reference.json")));
        var expected = reference.RootElement.GetProperty("greedy_from_bos").GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();

        using var checkpoint = CheckpointLoader.Open(format == "hf" ? SharedData.Stories260KHf : SharedData.Stories260KBin);
        using var model = LlamaReferenceModel.Load(checkpoint);
        using var noGrad = no_grad();
        var ids = new List<long> { checkpoint.Config.BosTokenId };
        for (int step = 0; step < expected.Length; step++)
        {
            using var scope = NewDisposeScope();
            var logits = model.Logits(tensor(ids.ToArray(), [1, ids.Count]));
            ids.Add(logits[0, ids.Count - 1].argmax().item<long>());
        }
        Assert.Equal(expected, ids.Skip(1).Select(i => (int)i).ToArray());
    }
}
