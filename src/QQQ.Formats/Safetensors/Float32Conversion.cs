using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace QQQ.Formats;

/// <summary>
/// Converts little-endian tensor bytes of any <see cref="SafetensorsDType"/> to float32. Source bytes
/// may be unaligned (safetensors packs tensors back to back), so multi-byte values are read with
/// <see cref="BinaryPrimitives"/>, which compiles to plain unaligned loads.
/// </summary>
internal static class Float32Conversion
{
    /// <summary>Writes <c>destination.Length</c> values; <paramref name="source"/> holds exactly that many elements.</summary>
    public static void Convert(SafetensorsDType dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (source.Length != destination.Length * dtype.ElementSize())
            throw new ArgumentException($"{source.Length} bytes of {dtype.HeaderName()} do not make {destination.Length} values");
        switch (dtype)
        {
            case SafetensorsDType.F32:
                // The format is little-endian, as are the platforms this project targets (x64, arm64): a byte copy is the conversion.
                source.CopyTo(MemoryMarshal.AsBytes(destination));
                break;
            case SafetensorsDType.F16:
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]));
                break;
            case SafetensorsDType.BF16:
                // bfloat16 is the upper 16 bits of a float32.
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]) << 16);
                break;
            case SafetensorsDType.F64:
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source[(8 * i)..]);
                break;
            case SafetensorsDType.Bool:
            case SafetensorsDType.U8:
                for (int i = 0; i < destination.Length; i++) destination[i] = source[i];
                break;
            case SafetensorsDType.I8:
                for (int i = 0; i < destination.Length; i++) destination[i] = (sbyte)source[i];
                break;
            case SafetensorsDType.I16:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadInt16LittleEndian(source[(2 * i)..]);
                break;
            case SafetensorsDType.U16:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]);
                break;
            case SafetensorsDType.I32:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadInt32LittleEndian(source[(4 * i)..]);
                break;
            case SafetensorsDType.U32:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadUInt32LittleEndian(source[(4 * i)..]);
                break;
            case SafetensorsDType.I64:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadInt64LittleEndian(source[(8 * i)..]);
                break;
            case SafetensorsDType.U64:
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadUInt64LittleEndian(source[(8 * i)..]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null);
        }
    }
}
