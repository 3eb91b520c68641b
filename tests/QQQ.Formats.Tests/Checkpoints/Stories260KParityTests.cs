using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Checkpoints;

/// <summary>
/// stories260K.bin (llama2.c) and stories260K-hf (converted independently by transformers' tooling, q/k
/// rows permuted for rotate-half RoPE) hold the same model: both readers must agree tensor by tensor.
/// </summary>
public class Stories260KParityTests
{
    [Fact]
    public void Configs_agree_in_every_field_both_formats_define()
    {
        using var bin = Llama2CCheckpoint.Open(SharedData.Stories260KBin);
        using var hf = HuggingFaceCheckpoint.Open(SharedData.Stories260KHf);

        // Values from the model card in ../shared/README.md.
        Assert.Equal(64, bin.Config.HiddenSize);
        Assert.Equal(172, bin.Config.IntermediateSize);
        Assert.Equal(5, bin.Config.NumLayers);
        Assert.Equal(8, bin.Config.NumHeads);
        Assert.Equal(4, bin.Config.NumKeyValueHeads);
        Assert.Equal(512, bin.Config.VocabSize);
        Assert.Equal(512, bin.Config.MaxSequenceLength);
        Assert.True(bin.Config.TiedEmbeddings);
        // The configs agree entirely (the HF config.json also says llama, eps 1e-5, theta 10000, bos 1, eos 2).
        Assert.Equal(hf.Config, bin.Config);
    }

    [Fact]
    public void Every_canonical_tensor_is_equal_after_the_rope_permutation()
    {
        using var bin = Llama2CCheckpoint.Open(SharedData.Stories260KBin);
        using var hf = HuggingFaceCheckpoint.Open(SharedData.Stories260KHf);

        Assert.Equal(hf.TensorNames.Order(), bin.TensorNames.Order());
        Assert.Equal(1 + 5 * 9 + 1, bin.TensorNames.Count);
        foreach (var name in hf.TensorNames)
        {
            Assert.Equal(hf.GetShape(name), bin.GetShape(name));
            var expected = hf.ReadTensor(name);
            var actual = bin.ReadTensor(name);
            Assert.True(Numerics.MaxAbsDifference(actual, expected) <= 1e-7, $"{name} differs");
        }
    }

    [Fact]
    public void Without_the_permutation_q_and_k_would_differ()
    {
        // Guards the test above against a permutation that is accidentally the identity.
        using var bin = Llama2CCheckpoint.Open(SharedData.Stories260KBin);
        using var hf = HuggingFaceCheckpoint.Open(SharedData.Stories260KHf);
        const string name = "model.layers.0.self_attn.q_proj.weight";
        var raw = new float[64 * 64];
        using (var stream = File.OpenRead(SharedData.Stories260KBin))
        {
            // header (28 bytes), token_embedding (512 x 64), rms_att (5 x 64), then wq of layer 0.
            stream.Position = 28 + 4L * (512 * 64 + 5 * 64);
            stream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(raw.AsSpan()));
        }
        Assert.True(Numerics.MaxAbsDifference(raw, hf.ReadTensor(name)) > 1e-3);
        Assert.Equal(hf.ReadTensor(name), bin.ReadTensor(name));
    }
}
