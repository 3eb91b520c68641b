using System.Buffers.Binary;

namespace QQQ.Formats;

/// <summary>Where one canonical tensor lies in a llama2.c file. <see cref="RopeHeads"/> &gt; 0: q/k rows to permute over that many heads.</summary>
internal sealed record Llama2CTensor(string Name, int[] Shape, long ByteOffset, int RopeHeads);

/// <summary>
/// The llama2.c "v0" checkpoint layout (karpathy/llama2.c run.c): 7 int32 (dim, hidden_dim, n_layers,
/// n_heads, n_kv_heads, vocab_size, seq_len; vocab_size &lt; 0 means an untied classifier), then float32
/// arrays, each stacked over layers where per-layer: token_embedding (V, dim), rms_att (L, dim),
/// wq (L, dim, dim), wk (L, kv_dim, dim), wv (L, kv_dim, dim), wo (L, dim, dim), rms_ffn (L, dim),
/// w1 (L, hidden, dim), w2 (L, dim, hidden), w3 (L, hidden, dim), rms_final (dim),
/// freq_cis_real and freq_cis_imag (seq_len, head_size / 2) each, then wcls (V, dim) only if untied.
/// </summary>
internal sealed record Llama2CLayout(ModelConfig Config, IReadOnlyList<Llama2CTensor> Tensors)
{
    public const int HeaderBytes = 7 * sizeof(int);

    /// <summary>Exported llama2.c files of version 1 and later start with this magic ("ak42") instead of dim.</summary>
    const int VersionedMagic = 0x616b3432;

    static readonly string[] FieldNames = ["dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"];

    /// <summary>Validates the header against the file length and computes every offset.</summary>
    public static Llama2CLayout FromHeader(string path, ReadOnlySpan<byte> header, long fileLength)
    {
        var fields = new int[FieldNames.Length];
        for (int i = 0; i < fields.Length; i++) fields[i] = BinaryPrimitives.ReadInt32LittleEndian(header[(4 * i)..]);
        if (fields[0] == VersionedMagic)
            throw new ModelFormatException(path, "this is a versioned llama2.c export (magic 'ak42'); only the legacy v0 format is supported");
        for (int i = 0; i < fields.Length; i++)
        {
            bool ok = i == 5 ? fields[i] != 0 && fields[i] != int.MinValue : fields[i] > 0;
            if (!ok) throw new ModelFormatException(path, $"header field {FieldNames[i]} = {fields[i]} is not a valid size");
        }
        int dim = fields[0], hidden = fields[1], layers = fields[2], heads = fields[3], kvHeads = fields[4], seqLen = fields[6];
        var config = new ModelConfig
        {
            ModelType = "llama",
            HiddenSize = dim,
            IntermediateSize = hidden,
            NumLayers = layers,
            NumHeads = heads,
            NumKeyValueHeads = kvHeads,
            VocabSize = Math.Abs(fields[5]),
            MaxSequenceLength = seqLen,
            // run.c hard-codes these.
            RmsNormEps = 1e-5f,
            RopeTheta = 10000f,
            TiedEmbeddings = fields[5] > 0,
            BosTokenId = 1,
            EosTokenId = 2,
        };
        config.Validate(path);

        long expectedLength;
        try
        {
            expectedLength = Walk(config, null);
        }
        catch (OverflowException e)
        {
            throw new ModelFormatException(path, $"header values ({Describe(fields)}) imply a file too large to address", e);
        }
        // Only a header that matches the file may size anything: n_layers alone could ask for billions of entries.
        if (expectedLength != fileLength)
            throw new ModelFormatException(path, $"file has {fileLength} bytes but its header ({Describe(fields)}) implies {expectedLength}");
        var tensors = new List<Llama2CTensor>();
        Walk(config, tensors);
        return new Llama2CLayout(config, tensors);
    }

    static string Describe(int[] fields) => string.Join(", ", FieldNames.Zip(fields, (name, value) => $"{name} {value}"));

    /// <summary>Walks the layout, adding each tensor to <paramref name="sink"/> when given; returns the file length it implies.</summary>
    static long Walk(ModelConfig config, List<Llama2CTensor>? sink)
    {
        // Every sum and product is checked: absurd headers overflow long instead of wrapping to a plausible size.
        long cursor = HeaderBytes;
        int dim = config.HiddenSize, hidden = config.IntermediateSize, kvDim = config.KeyValueDim;

        void Single(string name, int[] shape)
        {
            sink?.Add(new Llama2CTensor(name, shape, cursor, 0));
            cursor = checked(cursor + Bytes(shape));
        }
        void PerLayer(string suffix, int[] shape, int ropeHeads = 0)
        {
            for (int layer = 0; sink != null && layer < config.NumLayers; layer++)
                sink.Add(new Llama2CTensor(CanonicalTensors.Layer(layer, suffix), shape, checked(cursor + layer * Bytes(shape)), ropeHeads));
            cursor = checked(cursor + config.NumLayers * Bytes(shape));
        }

        Single(CanonicalTensors.EmbedTokens, [config.VocabSize, dim]);
        PerLayer(CanonicalTensors.InputNorm, [dim]);
        PerLayer(CanonicalTensors.QProj, [dim, dim], config.NumHeads);
        PerLayer(CanonicalTensors.KProj, [kvDim, dim], config.NumKeyValueHeads);
        PerLayer(CanonicalTensors.VProj, [kvDim, dim]);
        PerLayer(CanonicalTensors.OProj, [dim, dim]);
        PerLayer(CanonicalTensors.PostAttentionNorm, [dim]);
        PerLayer(CanonicalTensors.GateProj, [hidden, dim]); // w1
        PerLayer(CanonicalTensors.DownProj, [dim, hidden]); // w2
        PerLayer(CanonicalTensors.UpProj, [hidden, dim]);   // w3
        Single(CanonicalTensors.FinalNorm, [dim]);
        cursor = checked(cursor + 2 * Bytes([config.MaxSequenceLength, config.HeadDim / 2])); // freq_cis_real, freq_cis_imag: unused
        if (!config.TiedEmbeddings) Single(CanonicalTensors.LmHead, [config.VocabSize, dim]);
        return cursor;
    }

    static long Bytes(int[] shape)
    {
        long count = sizeof(float);
        foreach (int size in shape) count = checked(count * size);
        return count;
    }
}
