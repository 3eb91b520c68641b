using QQQ.Formats;
using QQQ.Formats.Tokenizers;
using QQQ.Quantization.Calibration;
using QQQ.Quantization.Reference;
using static TorchSharp.torch;

namespace QQQ.Quantization.Tests.Support;

/// <summary>Real activations for smoothing tests: token windows of a shared text through a checkpoint's embedding.</summary>
public static class CalibrationData
{
    /// <summary>Windows of token ids sampled as <c>qqq quantize</c> does.</summary>
    public static int[][] Windows(ICheckpoint checkpoint, string tokenizer, string text, int count, int length)
    {
        var ids = TokenizerLoader.Open(tokenizer, checkpoint.Config.VocabSize).Encode(File.ReadAllText(text), addBos: true);
        return CalibrationSet.Sample([ids], count, length, seed: 0);
    }

    /// <summary>(windows, T, hidden) embeddings of the windows.</summary>
    public static Tensor Embed(ICheckpoint checkpoint, int[][] windows)
    {
        using var embedding = CheckpointTensors.Read(checkpoint, CanonicalTensors.EmbedTokens);
        var ids = tensor(windows.SelectMany(w => w.Select(t => (long)t)).ToArray());
        return embedding.index_select(0, ids).view(windows.Length, windows[0].Length, checkpoint.Config.HiddenSize);
    }
}
