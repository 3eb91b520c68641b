using QQQ.Formats.Tests.Support;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Checkpoints;

/// <summary>Synthetic llama2.c files whose float k sits at body index k, so positions can be checked exactly.</summary>
public sealed class Llama2CTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    string Write(byte[] bytes)
    {
        var path = temp.File("model.bin");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    ModelFormatException OpenFails(byte[] bytes)
    {
        var path = Write(bytes);
        var error = Assert.Throws<ModelFormatException>(() => Llama2CCheckpoint.Open(path).Dispose());
        Assert.Equal(path, error.FilePath);
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }

    [Fact]
    public void Q_and_k_rows_move_from_adjacent_pairs_to_rotate_half()
    {
        // dim 8, 2 heads of 4, 1 kv head, hidden 4, 1 layer, vocab 4, seq 2.
        using var checkpoint = Llama2CCheckpoint.Open(Write(SyntheticLlama2C.Build(8, 4, 1, 2, 1, 4, 2)));

        // Body: token_embedding 4x8 = 32 floats, rms_att 8, then wq (8x8) at 40, wk (4x8) at 104.
        // Per head of 4 rows, HF row order takes llama2.c rows 0, 2, 1, 3.
        int[] qRows = [0, 2, 1, 3, 4, 6, 5, 7];
        var q = checkpoint.ReadTensor("model.layers.0.self_attn.q_proj.weight");
        for (int r = 0; r < 8; r++)
            for (int c = 0; c < 8; c++)
                Assert.Equal(40 + qRows[r] * 8 + c, q[r * 8 + c]);
        int[] kRows = [0, 2, 1, 3];
        var k = checkpoint.ReadTensor("model.layers.0.self_attn.k_proj.weight");
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 8; c++)
                Assert.Equal(104 + kRows[r] * 8 + c, k[r * 8 + c]);
        // v is not permuted: it follows wk directly (136).
        Assert.Equal(Enumerable.Range(136, 32).Select(i => (float)i), checkpoint.ReadTensor("model.layers.0.self_attn.v_proj.weight"));
    }

    [Fact]
    public void Maps_every_array_to_its_canonical_name_and_reads_an_untied_classifier()
    {
        // dim 8, hidden 6, 2 layers, 2 heads, 2 kv heads, vocab -5 (untied), seq 3.
        using var checkpoint = Llama2CCheckpoint.Open(Write(SyntheticLlama2C.Build(8, 6, 2, 2, 2, -5, 3)));
        Assert.False(checkpoint.Config.TiedEmbeddings);
        Assert.Equal(5, checkpoint.Config.VocabSize);
        // Offsets by run.c order: emb 40, rms_att 2x8, wq 2x64, wk 2x64, wv 2x64, wo 2x64, rms_ffn 2x8, w1 2x48, w2 2x48, w3 2x48, rms_final 8, freqs 2x3x2, wcls 40.
        (string Name, int Start, int Count)[] expected =
        [
            ("model.embed_tokens.weight", 0, 40),
            ("model.layers.1.input_layernorm.weight", 48, 8),
            ("model.layers.0.self_attn.v_proj.weight", 312, 64),
            ("model.layers.1.self_attn.o_proj.weight", 504, 64),
            ("model.layers.0.post_attention_layernorm.weight", 568, 8),
            ("model.layers.1.mlp.gate_proj.weight", 632, 48),   // w1
            ("model.layers.0.mlp.down_proj.weight", 680, 48),   // w2
            ("model.layers.1.mlp.up_proj.weight", 824, 48),     // w3
            ("model.norm.weight", 872, 8),
            ("lm_head.weight", 892, 40),
        ];
        foreach (var (name, start, count) in expected)
            Assert.Equal(Enumerable.Range(start, count).Select(i => (float)i), checkpoint.ReadTensor(name));
        Assert.Equal([6, 8], checkpoint.GetShape("model.layers.1.mlp.gate_proj.weight"));
        Assert.Equal([8, 6], checkpoint.GetShape("model.layers.0.mlp.down_proj.weight"));
        Assert.Equal(2 + 2 * 9 + 1, checkpoint.TensorNames.Count);
    }

    [Fact]
    public void File_of_the_wrong_size()
    {
        var bytes = SyntheticLlama2C.Build(8, 4, 1, 2, 1, 4, 2);
        var error = OpenFails([.. bytes, 0, 0, 0, 0]);
        Assert.Contains($"file has {bytes.Length + 4} bytes but its header (dim 8, hidden_dim 4, n_layers 1, n_heads 2, n_kv_heads 1, vocab_size 4, seq_len 2) implies {bytes.Length}", error.Problem);
        Assert.Contains("implies", OpenFails(bytes[..^4]).Problem);
    }

    [Fact]
    public void Header_with_a_negative_dimension()
    {
        var bytes = SyntheticLlama2C.Build(8, 4, 1, 2, 1, 4, 2);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), -1);
        Assert.Contains("header field n_layers = -1 is not a valid size", OpenFails(bytes).Problem);
    }

    [Fact]
    public void Header_whose_sizes_overflow()
    {
        int big = 1 << 30;
        int[] header = [big, big, big, 1, 1, big, big];
        var bytes = new byte[64];
        for (int i = 0; i < 7; i++) BitConverter.TryWriteBytes(bytes.AsSpan(4 * i), header[i]);
        Assert.Contains("imply a file too large to address", OpenFails(bytes).Problem);
    }

    [Fact]
    public void Header_with_huge_but_addressable_sizes()
    {
        int[] header = [64, 64, int.MaxValue, 8, 4, 512, 512];
        var bytes = new byte[64];
        for (int i = 0; i < 7; i++) BitConverter.TryWriteBytes(bytes.AsSpan(4 * i), header[i]);
        Assert.Contains("implies", OpenFails(bytes).Problem);
    }

    [Fact]
    public void Header_with_inconsistent_heads()
    {
        var bytes = SyntheticLlama2C.Build(8, 4, 1, 3, 1, 4, 2);
        Assert.Contains("hidden_size 8 is not divisible by num_attention_heads 3", OpenFails(bytes).Problem);
    }

    [Fact]
    public void Versioned_export_is_named()
    {
        var bytes = SyntheticLlama2C.Build(8, 4, 1, 2, 1, 4, 2);
        BitConverter.TryWriteBytes(bytes.AsSpan(0), 0x616b3432);
        Assert.Contains("versioned llama2.c export", OpenFails(bytes).Problem);
    }

    [Fact]
    public void File_shorter_than_the_header() =>
        Assert.Contains("fewer than the 28 bytes of the llama2.c header", OpenFails(new byte[20]).Problem);
}
