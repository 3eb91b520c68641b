namespace QQQ.Formats.Tokenizers;

/// <summary>Opens a model's tokenizer file, whichever of the supported formats it is in.</summary>
public static class TokenizerLoader
{
    const long MaxTokenizerBytes = 64 << 20;

    /// <summary>
    /// Opens a SentencePiece BPE model (<c>tokenizer.model</c>, detected by its protobuf content) or else a llama2.c
    /// tokenizer (<c>tokenizer.bin</c>, <c>tok512.bin</c>). A malformed file, or a tokenizer with more tokens than
    /// <paramref name="modelVocabSize"/> (for llama2.c: any other number), throws <see cref="ModelFormatException"/>.
    /// </summary>
    public static ITextTokenizer Open(string path, int modelVocabSize)
    {
        if (!File.Exists(path)) throw new ModelFormatException(path, "tokenizer file not found");
        if (new FileInfo(path).Length > MaxTokenizerBytes)
            throw new ModelFormatException(path, $"larger than {MaxTokenizerBytes >> 20} MB: not a tokenizer file");
        return Open(File.ReadAllBytes(path), path, modelVocabSize);
    }

    /// <summary>As <see cref="Open(string, int)"/> from a tokenizer file's bytes (e.g. embedded in an artifact); <paramref name="path"/> names it in errors.</summary>
    public static ITextTokenizer Open(byte[] content, string path, int modelVocabSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(modelVocabSize);
        var head = content.AsSpan(0, Math.Min(16, content.Length));
        if (head.TrimStart(" \t\r\n"u8).StartsWith("{"u8))
            throw new ModelFormatException(path, "a JSON file (Hugging Face tokenizer.json?) is not supported; use the model's tokenizer.model");
        ITextTokenizer tokenizer = SentencePieceModelFile.LooksLikeModelProto(head)
            ? SentencePieceTextTokenizer.Load(content, path)
            : Llama2cTokenizer.Load(content, path, modelVocabSize);
        if (tokenizer.VocabSize > modelVocabSize)
            throw new ModelFormatException(path,
                $"the tokenizer has {tokenizer.VocabSize} tokens, more than the model's vocabulary of {modelVocabSize}");
        return tokenizer;
    }

    /// <summary>
    /// The tokenizer file in a model's folder (<paramref name="modelPath"/> is the folder or a file in it):
    /// <c>tokenizer.model</c>, else <c>tokenizer.bin</c>, else the only <c>tok*.bin</c>; null when there is none.
    /// Several <c>tok*.bin</c> files and no other candidate throw <see cref="ModelFormatException"/>.
    /// </summary>
    public static string? FindBeside(string modelPath)
    {
        string folder = Directory.Exists(modelPath)
            ? modelPath
            : Path.GetDirectoryName(Path.GetFullPath(modelPath)) ?? throw new ArgumentException($"{modelPath} has no folder", nameof(modelPath));
        foreach (var name in (ReadOnlySpan<string>)["tokenizer.model", "tokenizer.bin"])
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path)) return path;
        }
        var candidates = Directory.GetFiles(folder, "tok*.bin").Order(StringComparer.Ordinal).ToArray();
        return candidates.Length switch
        {
            0 => null,
            1 => candidates[0],
            _ => throw new ModelFormatException(folder,
                $"several llama2.c tokenizers ({string.Join(", ", candidates.Select(Path.GetFileName))}); name one explicitly"),
        };
    }
}
