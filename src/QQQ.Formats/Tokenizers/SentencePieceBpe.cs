using System.Runtime.InteropServices;
using System.Text;

namespace QQQ.Formats.Tokenizers;

/// <summary>
/// SentencePiece's BPE encoder (bpe_model.cc) over already normalized text: one symbol per character (user-defined
/// pieces as whole, unmergeable symbols), greedy merges of the adjacent pair whose concatenation is a normal,
/// user-defined or unused piece with the highest score (leftmost on ties), unused pieces split back into the pair they
/// were merged from, and unknown symbols spelled as byte tokens when the model has byte fallback.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers 2.0.1 runs the same loop but breaks score ties toward the rightmost pair
/// (its SymbolPair.CompareTo), so e.g. "▁VIIIs" becomes "▁VIII|s" instead of sentencepiece's "▁VII|Is".
/// </remarks>
internal sealed class SentencePieceBpe
{
    readonly SentencePieceEntry[] _pieces;
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _mergeable;
    readonly string[] _userDefinedLongestFirst;
    readonly int[]? _byteIds;
    readonly int _unknownId;

    /// <summary>Builds the encoder; <paramref name="byteFallback"/> needs all 256 <c>&lt;0xXX&gt;</c> byte pieces.</summary>
    public SentencePieceBpe(SentencePieceEntry[] pieces, bool byteFallback, int unknownId, string path)
    {
        _pieces = pieces;
        _unknownId = unknownId;
        var mergeable = new Dictionary<string, int>(StringComparer.Ordinal);
        var byteIds = new Dictionary<byte, int>();
        for (int id = 0; id < pieces.Length; id++)
        {
            var (piece, _, type) = pieces[id];
            if (type is PieceType.Normal or PieceType.UserDefined or PieceType.Unused)
            {
                if (!mergeable.TryAdd(piece, id))
                    throw new ModelFormatException(path, $"SentencePiece piece \"{piece}\" appears twice (ids {mergeable[piece]} and {id})");
            }
            else if (type == PieceType.Byte && ByteToken.TryParse(piece, out byte value))
            {
                byteIds.TryAdd(value, id);
            }
        }
        _mergeable = mergeable.GetAlternateLookup<ReadOnlySpan<char>>();
        _userDefinedLongestFirst = [.. pieces.Where(p => p.Type == PieceType.UserDefined).Select(p => p.Piece).OrderByDescending(p => p.Length)];
        if (byteFallback)
        {
            _byteIds = new int[256];
            for (int b = 0; b < 256; b++)
                _byteIds[b] = byteIds.TryGetValue((byte)b, out int id) ? id
                    : throw new ModelFormatException(path, $"SentencePiece model has byte fallback but no byte piece {ByteToken.Name((byte)b)}");
        }
    }

    readonly record struct Symbol(int Start, int Length, bool Frozen);

    /// <summary>Appends the ids of <paramref name="normalized"/> (text after SentencePiece normalization) to <paramref name="ids"/>.</summary>
    public void Encode(string normalized, List<int> ids)
    {
        var symbols = new List<Symbol>(normalized.Length);
        for (int start = 0; start < normalized.Length;)
        {
            var symbol = UserDefinedAt(normalized, start)
                ?? new Symbol(start, char.IsSurrogatePair(normalized, start) ? 2 : 1, Frozen: false);
            symbols.Add(symbol);
            start += symbol.Length;
        }

        var merges = new Merges(normalized, this);
        foreach (var symbol in PairMerger.Merge<Symbol>(CollectionsMarshal.AsSpan(symbols), merges))
            Emit(normalized.AsSpan(symbol.Start, symbol.Length), merges.SplitsOfUnused, ids);
    }

    Symbol? UserDefinedAt(string text, int start)
    {
        foreach (var piece in _userDefinedLongestFirst)
            if (text.AsSpan(start).StartsWith(piece, StringComparison.Ordinal))
                return new Symbol(start, piece.Length, Frozen: true);
        return null;
    }

    void Emit(ReadOnlySpan<char> piece, Dictionary<string, (string Left, string Right)>? splitsOfUnused, List<int> ids)
    {
        if (_mergeable.TryGetValue(piece, out int id))
        {
            if (_pieces[id].Type == PieceType.Unused && splitsOfUnused is not null
                && splitsOfUnused.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(piece, out var split))
            {
                Emit(split.Left, splitsOfUnused, ids);
                Emit(split.Right, splitsOfUnused, ids);
            }
            else
            {
                ids.Add(id);
            }
        }
        else if (_byteIds is null)
        {
            ids.Add(_unknownId);
        }
        else
        {
            foreach (byte b in Encoding.UTF8.GetBytes(piece.ToString())) ids.Add(_byteIds[b]);
        }
    }

    /// <summary>SentencePiece's merge rule over spans of one text; remembers the last pair seen for each unused piece.</summary>
    sealed class Merges(string text, SentencePieceBpe model) : IPairMerges<Symbol>
    {
        public Dictionary<string, (string Left, string Right)>? SplitsOfUnused { get; private set; }

        public bool TryMerge(Symbol left, Symbol right, out Symbol merged, out float score)
        {
            merged = default;
            score = 0;
            if (left.Frozen || right.Frozen) return false;
            var piece = text.AsSpan(left.Start, left.Length + right.Length);
            if (!model._mergeable.TryGetValue(piece, out int id)) return false;
            if (model._pieces[id].Type == PieceType.Unused)
                (SplitsOfUnused ??= new(StringComparer.Ordinal))[piece.ToString()] =
                    (text.Substring(left.Start, left.Length), text.Substring(right.Start, right.Length));
            merged = new Symbol(left.Start, piece.Length, Frozen: false);
            score = model._pieces[id].Score;
            return true;
        }
    }
}
