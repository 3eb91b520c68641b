using System.IO.MemoryMappedFiles;

namespace QQQ.Formats;

/// <summary>
/// A whole file mapped read-only into memory. Readers hand out spans into the mapping so that
/// tensors are never copied until they are converted; all spans die with <see cref="Dispose"/>.
/// </summary>
internal sealed unsafe class MappedFile : IDisposable
{
    const int ConversionSliceBytes = 1 << 30;

    readonly MemoryMappedFile map;
    readonly MemoryMappedViewAccessor view;
    byte* start;

    MappedFile(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, long length)
    {
        Path = path;
        this.map = map;
        this.view = view;
        Length = length;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        start = pointer + view.PointerOffset;
    }

    public string Path { get; }

    /// <summary>File length in bytes, taken once from the open handle (the mapping never grows).</summary>
    public long Length { get; }

    /// <summary>
    /// Maps <paramref name="path"/>. Files shorter than <paramref name="minimumLength"/> are refused
    /// before mapping (an empty file cannot be mapped at all), naming <paramref name="minimumWhat"/>.
    /// </summary>
    public static MappedFile Open(string path, int minimumLength, string minimumWhat)
    {
        if (!File.Exists(path)) throw new ModelFormatException(path, "file not found");
        // Length and mapping come from one handle, so a file that changes meanwhile cannot disagree with them.
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        MemoryMappedFile? map = null;
        try
        {
            long length = stream.Length;
            if (length < minimumLength)
                throw new ModelFormatException(path, $"file has {length} bytes, fewer than the {minimumLength} bytes of {minimumWhat}");
            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            return new MappedFile(path, map, view, length);
        }
        catch
        {
            if (map != null) map.Dispose();
            else stream.Dispose();
            throw;
        }
    }

    /// <summary>Bytes [offset, offset + length) of the file; the caller has validated the range.</summary>
    public ReadOnlySpan<byte> Span(long offset, int length)
    {
        ObjectDisposedException.ThrowIf(start == null, this);
        if (offset < 0 || length < 0 || offset > Length - length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, +{length}) is outside the {Length}-byte file");
        return new ReadOnlySpan<byte>(start + offset, length);
    }

    /// <summary>
    /// Converts <c>destination.Length</c> elements of <paramref name="dtype"/> starting at byte
    /// <paramref name="offset"/> (a validated range) to float32, in slices so no span exceeds int.MaxValue bytes.
    /// </summary>
    public void ReadFloat32(long offset, SafetensorsDType dtype, Span<float> destination)
    {
        int elementSize = dtype.ElementSize();
        int sliceElements = ConversionSliceBytes / elementSize;
        for (int done = 0; done < destination.Length; done += sliceElements)
        {
            int count = Math.Min(sliceElements, destination.Length - done);
            Float32Conversion.Convert(dtype, Span(offset + (long)done * elementSize, count * elementSize), destination.Slice(done, count));
        }
    }

    public void Dispose()
    {
        if (start == null) return;
        start = null;
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
        map.Dispose();
    }
}
