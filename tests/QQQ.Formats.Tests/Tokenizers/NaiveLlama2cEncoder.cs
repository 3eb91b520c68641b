using System.Buffers.Binary;
using System.Text;

namespace QQQ.Formats.Tests.Tokenizers;

/// <summary>
/// A direct transcription of llama2.c's <c>encode</c> (run.c), quadratic merge loop included, with its own reading of
/// the tokenizer file: the reference the optimised encoder is compared with.
/// </summary>
internal sealed class NaiveLlama2cEncoder
{
    readonly byte[][] _pieces;
    readonly float[] _scores;
    readonly Dictionary<string, int> _ids = new();

    public NaiveLlama2cEncoder(string path, int vocabSize)
    {
        var data = File.ReadAllBytes(path);
        _pieces = new byte[vocabSize][];
        _scores = new float[vocabSize];
        int at = 4;
        for (int i = 0; i < vocabSize; i++)
        {
            _scores[i] = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(at));
            int length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(at + 4));
            _pieces[i] = data.AsSpan(at + 8, length).ToArray();
            at += 8 + length;
            _ids.TryAdd(Convert.ToHexString(_pieces[i]), i);
        }
    }

    int Lookup(byte[] piece) => _ids.TryGetValue(Convert.ToHexString(piece), out int id) ? id : -1;

    public List<int> Encode(string text, bool bos)
    {
        var tokens = new List<int>();
        if (bos) tokens.Add(1);
        var utf8 = Encoding.UTF8.GetBytes(text);
        if (utf8.Length > 0) tokens.Add(Lookup([(byte)' ']));
        var buffer = new List<byte>();
        for (int c = 0; c < utf8.Length; c++)
        {
            if ((utf8[c] & 0xC0) != 0x80) buffer.Clear();
            buffer.Add(utf8[c]);
            if (c + 1 < utf8.Length && (utf8[c + 1] & 0xC0) == 0x80 && buffer.Count < 4) continue;
            int id = Lookup([.. buffer]);
            if (id != -1) tokens.Add(id);
            else foreach (byte b in buffer) tokens.Add(b + 3);
            buffer.Clear();
        }
        while (true)
        {
            float bestScore = -1e10f;
            int bestId = -1, bestIndex = -1;
            for (int i = 0; i < tokens.Count - 1; i++)
            {
                int id = Lookup([.. _pieces[tokens[i]], .. _pieces[tokens[i + 1]]]);
                if (id != -1 && _scores[id] > bestScore)
                {
                    bestScore = _scores[id];
                    bestId = id;
                    bestIndex = i;
                }
            }
            if (bestIndex == -1) break;
            tokens[bestIndex] = bestId;
            tokens.RemoveAt(bestIndex + 1);
        }
        return tokens;
    }
}
