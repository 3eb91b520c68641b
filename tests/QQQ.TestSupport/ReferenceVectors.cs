using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace QQQ.TestSupport;

/// <summary>
/// One file of the reference QQQ vectors (<c>shared/data/qqq-vectors/qqq_ref_N{N}_K{K}_g{pc|128}.safetensors</c>),
/// read whole by a minimal test-only safetensors reader (to be replaced by the product reader).
/// </summary>
public sealed partial class ReferenceVectors
{
    /// <summary>The token counts M for which the files hold x, x_q, s_tok and d.</summary>
    public static readonly int[] TokenCounts = [1, 7, 16, 33, 130];

    readonly Dictionary<string, (string Dtype, int[] Shape, byte[] Data)> tensors;

    ReferenceVectors(string path, Dictionary<string, (string, int[], byte[])> tensors)
    {
        Path = path;
        this.tensors = tensors;
        var match = FileNamePattern().Match(System.IO.Path.GetFileName(path));
        if (!match.Success) throw new InvalidDataException($"{path}: not a qqq_ref_N*_K*_g*.safetensors name");
        OutFeatures = int.Parse(match.Groups[1].Value);
        InFeatures = int.Parse(match.Groups[2].Value);
        GroupSize = match.Groups[3].Value == "pc" ? -1 : int.Parse(match.Groups[3].Value);
    }

    /// <summary>The folder of the vectors.</summary>
    public static string Folder => SharedData.File("data", "qqq-vectors");

    /// <summary>File names of every vector file, sorted (for xunit member data).</summary>
    public static TheoryData<string> FileNames() => new(AllFileNames());

    /// <summary>Every (file name, M) pair.</summary>
    public static TheoryData<string, int> FileNamesAndTokenCounts()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in AllFileNames())
            foreach (var m in TokenCounts)
                data.Add(file, m);
        return data;
    }

    static string[] AllFileNames() =>
        [.. Directory.GetFiles(Folder, "qqq_ref_*.safetensors").Select(f => System.IO.Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public string Path { get; }
    public int OutFeatures { get; }
    public int InFeatures { get; }

    /// <summary>-1 for per-channel, else the group size.</summary>
    public int GroupSize { get; }

    /// <summary>Relative error of <c>d_mM</c> against x @ w_fakequant^T in float64, from <c>summary.json</c>.</summary>
    public double SummaryRelativeError(int m)
    {
        using var summary = JsonDocument.Parse(File.ReadAllBytes(System.IO.Path.Combine(Folder, "summary.json")));
        return summary.RootElement.GetProperty($"N{OutFeatures}_K{InFeatures}_g{GroupSize}_M{m}").GetProperty("rel_err_vs_fp64").GetDouble();
    }

    static readonly Dictionary<string, ReferenceVectors> Cache = [];

    /// <summary>Reads (once per test run) a file of the vectors folder.</summary>
    public static ReferenceVectors Load(string fileName)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(fileName, out var vectors))
                Cache[fileName] = vectors = Read(System.IO.Path.Combine(Folder, fileName));
            return vectors;
        }
    }

    public int[] Shape(string name) => Get(name).Shape;
    public Half[] Float16(string name) => Cast<Half>(name, "F16");
    public float[] Float32(string name) => Cast<float>(name, "F32");
    public int[] Int32(string name) => Cast<int>(name, "I32");
    public sbyte[] Int8(string name) => Cast<sbyte>(name, "I8");

    T[] Cast<T>(string name, string dtype) where T : unmanaged
    {
        var tensor = Get(name);
        if (tensor.Dtype != dtype) throw new InvalidDataException($"{Path}: {name} is {tensor.Dtype}, not {dtype}");
        return MemoryMarshal.Cast<byte, T>(tensor.Data).ToArray();
    }

    (string Dtype, int[] Shape, byte[] Data) Get(string name) =>
        tensors.TryGetValue(name, out var tensor) ? tensor : throw new KeyNotFoundException($"{Path}: no tensor {name}");

    static ReferenceVectors Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        long headerLength = BitConverter.ToInt64(bytes, 0);
        if (headerLength <= 0 || 8 + headerLength > bytes.Length) throw new InvalidDataException($"{path}: bad header length");
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        int dataStart = 8 + (int)headerLength;
        var tensors = new Dictionary<string, (string, int[], byte[])>();
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            var dtype = entry.Value.GetProperty("dtype").GetString()!;
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
            long elementSize = dtype switch { "F16" => 2, "F32" or "I32" => 4, "I8" => 1, _ => throw new InvalidDataException($"{path}: dtype {dtype}") };
            long expected = shape.Aggregate(elementSize, (size, dim) => size * dim);
            if (offsets[0] < 0 || offsets[1] - offsets[0] != expected || dataStart + offsets[1] > bytes.Length)
                throw new InvalidDataException($"{path}: {entry.Name} has bad offsets");
            tensors[entry.Name] = (dtype, shape, bytes[(dataStart + (int)offsets[0])..(dataStart + (int)offsets[1])]);
        }
        return new ReferenceVectors(path, tensors);
    }

    [GeneratedRegex(@"^qqq_ref_N(\d+)_K(\d+)_g(pc|\d+)\.safetensors$")]
    private static partial Regex FileNamePattern();
}
