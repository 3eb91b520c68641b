using System.Buffers.Binary;
using System.Text;

namespace QQQ.Formats.Tokenizers;

/// <summary>SentencePiece piece types (sentencepiece_model.proto).</summary>
internal enum PieceType
{
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

/// <summary>One vocabulary entry of a SentencePiece model.</summary>
internal readonly record struct SentencePieceEntry(string Piece, float Score, PieceType Type);

/// <summary>
/// The parts of a SentencePiece <c>ModelProto</c> (protobuf) that Microsoft.ML.Tokenizers does not expose: every
/// piece with its score and type, and the model type. Only the wire format is read; unknown fields are skipped.
/// </summary>
internal static class SentencePieceModelFile
{
    const int WireVarint = 0, WireFixed64 = 1, WireLengthDelimited = 2, WireFixed32 = 5;
    const int ModelTypeBpe = 2;

    /// <summary>Whether <paramref name="head"/> (the first bytes of a file) starts like a ModelProto: a length-delimited
    /// field 1 (a piece) whose body starts with a SentencePiece field tag.</summary>
    public static bool LooksLikeModelProto(ReadOnlySpan<byte> head)
    {
        var reader = new WireReader(head);
        if (!reader.TryReadVarint(out ulong tag) || tag != (1 << 3 | WireLengthDelimited)) return false;
        if (!reader.TryReadVarint(out ulong length) || length == 0) return false;
        return reader.TryReadVarint(out ulong pieceTag) && pieceTag is (1 << 3 | WireLengthDelimited) or (2 << 3 | WireFixed32) or (3 << 3 | WireVarint);
    }

    /// <summary>Reads the pieces of a BPE model; anything malformed throws <see cref="ModelFormatException"/>.</summary>
    public static SentencePieceEntry[] ReadBpePieces(ReadOnlySpan<byte> file, string path)
    {
        var pieces = new List<SentencePieceEntry>();
        int modelType = 1; // TrainerSpec's default: UNIGRAM
        var reader = new WireReader(file);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag(path);
            if (field == 1 && wire == WireLengthDelimited)
                pieces.Add(ReadPiece(reader.ReadBytes(path), path, pieces.Count));
            else if (field == 2 && wire == WireLengthDelimited)
                modelType = ReadModelType(reader.ReadBytes(path), path, modelType);
            else
                reader.Skip(wire, path);
        }
        if (pieces.Count == 0) throw new ModelFormatException(path, "SentencePiece model has no pieces");
        if (modelType != ModelTypeBpe)
            throw new ModelFormatException(path, $"SentencePiece model type {modelType} is not BPE (2); only BPE models are supported");
        return [.. pieces];
    }

    static SentencePieceEntry ReadPiece(ReadOnlySpan<byte> body, string path, int index)
    {
        string? piece = null;
        float score = 0;
        int type = (int)PieceType.Normal;
        var reader = new WireReader(body);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag(path);
            if (field == 1 && wire == WireLengthDelimited) piece = Utf8(reader.ReadBytes(path), path, index);
            else if (field == 2 && wire == WireFixed32) score = BinaryPrimitives.ReadSingleLittleEndian(reader.ReadFixed(4, path));
            else if (field == 3 && wire == WireVarint) type = (int)reader.ReadVarint(path);
            else reader.Skip(wire, path);
        }
        if (string.IsNullOrEmpty(piece)) throw new ModelFormatException(path, $"SentencePiece piece {index} is empty");
        if (!Enum.IsDefined((PieceType)type)) throw new ModelFormatException(path, $"SentencePiece piece {index} has unknown type {type}");
        return new SentencePieceEntry(piece, score, (PieceType)type);
    }

    static int ReadModelType(ReadOnlySpan<byte> trainerSpec, string path, int modelType)
    {
        var reader = new WireReader(trainerSpec);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag(path);
            if (field == 3 && wire == WireVarint) modelType = (int)reader.ReadVarint(path);
            else reader.Skip(wire, path);
        }
        return modelType;
    }

    static string Utf8(ReadOnlySpan<byte> bytes, string path, int index)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new ModelFormatException(path, $"SentencePiece piece {index} is not valid UTF-8", e);
        }
    }

    /// <summary>Protobuf wire-format reader over a span, checking every length against what is left.</summary>
    ref struct WireReader(ReadOnlySpan<byte> data)
    {
        readonly ReadOnlySpan<byte> _data = data;
        int _at;

        public readonly bool AtEnd => _at >= _data.Length;

        public bool TryReadVarint(out ulong value)
        {
            value = 0;
            for (int shift = 0; shift < 64 && _at < _data.Length; shift += 7)
            {
                byte b = _data[_at++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return true;
            }
            return false;
        }

        public ulong ReadVarint(string path) =>
            TryReadVarint(out ulong value) ? value : throw Corrupt(path, "a truncated or overlong varint");

        public (int Field, int Wire) ReadTag(string path)
        {
            ulong tag = ReadVarint(path);
            if (tag >> 3 is 0 or > int.MaxValue) throw Corrupt(path, $"an invalid field tag {tag}");
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public ReadOnlySpan<byte> ReadBytes(string path)
        {
            ulong length = ReadVarint(path);
            return ReadFixed(length <= int.MaxValue ? (int)length : -1, path);
        }

        public ReadOnlySpan<byte> ReadFixed(int length, string path)
        {
            if (length < 0 || length > _data.Length - _at) throw Corrupt(path, $"a field of {length} bytes past the end of its message");
            var bytes = _data.Slice(_at, length);
            _at += length;
            return bytes;
        }

        public void Skip(int wire, string path)
        {
            switch (wire)
            {
                case WireVarint: ReadVarint(path); break;
                case WireFixed64: ReadFixed(8, path); break;
                case WireLengthDelimited: ReadBytes(path); break;
                case WireFixed32: ReadFixed(4, path); break;
                default: throw Corrupt(path, $"unsupported wire type {wire}");
            }
        }

        static ModelFormatException Corrupt(string path, string what) =>
            new(path, $"not a valid SentencePiece model: {what}");
    }
}
