using System.Text;
using System.Text.Json.Nodes;
using QQQ.Formats.Tests.Support;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Fuzz;

/// <summary>
/// Thousands of mutated safetensors files from a seeded RNG: every open and read either succeeds or
/// throws ModelFormatException, quickly and without large allocations.
/// </summary>
public sealed class SafetensorsFuzzTests : IDisposable
{
    const int Seed = 1_2026_11;
    const int Cases = 3000;

    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>A valid file with every dtype family, a scalar, an empty tensor and metadata.</summary>
    byte[] BaseFile()
    {
        var writer = new SafetensorsWriter();
        writer.Metadata["format"] = "pt";
        writer.Metadata["note"] = "fuzz";
        var random = new Random(Seed);
        writer.Add<float>("w.f32", [3, 4], QQQ.TestSupport.Numerics.RandomNonZero(random, 12));
        writer.Add<Half>("w.f16", [5], [(Half)1, (Half)(-2), Half.MaxValue, Half.Epsilon, (Half)0.5f]);
        writer.Add("w.bf16", SafetensorsDType.BF16, [2, 2], [0x80, 0x3F, 0x00, 0xC0, 0x80, 0x7F, 0x01, 0x00]);
        writer.Add<sbyte>("q.i8", [7], [-128, -1, 0, 1, 2, 3, 127]);
        writer.Add<byte>("q.u8", [3], [0, 128, 255]);
        writer.Add<long>("ids.i64", [2], [long.MinValue, long.MaxValue]);
        writer.Add<double>("scalar.f64", [], [Math.PI]);
        writer.Add<float>("empty", [0, 3], []);
        var path = temp.File("base.safetensors");
        writer.Write(path);
        return File.ReadAllBytes(path);
    }

    static void ReadEverything(string path)
    {
        using var file = SafetensorsFile.Open(path);
        _ = file.Metadata.Count;
        foreach (var tensor in file.Tensors)
        {
            _ = file.GetBytes(tensor.Name).Length;
            _ = file.ReadFloat32(tensor.Name);
        }
    }

    [Fact]
    public void Mutated_files_open_or_fail_with_a_format_error()
    {
        var original = BaseFile();
        int headerLength = (int)BitConverter.ToUInt64(original);
        string header = Encoding.UTF8.GetString(original, 8, headerLength);
        byte[] data = original[(8 + headerLength)..];
        var random = new Random(Seed);
        var harness = new FuzzHarness();
        var path = temp.File("case.safetensors");

        for (int i = 0; i < Cases; i++)
        {
            int kind = random.Next(6);
            byte[] bytes = kind switch
            {
                0 => Mutations.FlipBits(random, original, 0, 8 + headerLength),
                1 => Mutations.FlipBits(random, original, 8 + headerLength, original.Length), // values only: NaN, inf, odd patterns

                2 => Mutations.Truncate(random, original),
                3 => WithHeaderLength(random, original),
                4 => RawSafetensors.Build(Mutations.MutateJsonText(random, header), data),
                _ => RawSafetensors.Build(MutateStructure(random, header), data),
            };
            File.WriteAllBytes(path, bytes);
            harness.Run($"case {i} (kind {kind}, seed {Seed})", () => ReadEverything(path));
        }
        harness.AssertBothOutcomesSeen(Cases / 20);
    }

    static byte[] WithHeaderLength(Random random, byte[] original)
    {
        var bytes = (byte[])original.Clone();
        ulong real = BitConverter.ToUInt64(bytes);
        ulong value = random.Next(4) switch
        {
            0 => real + (ulong)random.Next(-16, 17),
            1 => (ulong)random.NextInt64(),
            2 => ulong.MaxValue - (ulong)random.Next(16),
            _ => (ulong)random.Next(bytes.Length + 16),
        };
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), value);
        return bytes;
    }

    /// <summary>Parses the header and corrupts one field of one entry, or adds an overlapping or odd entry.</summary>
    static string MutateStructure(Random random, string header)
    {
        var root = JsonNode.Parse(header)!.AsObject();
        var names = root.Select(p => p.Key).Where(k => k != "__metadata__").ToList();
        var entry = root[names[random.Next(names.Count)]]!.AsObject();
        JsonNode Nasty() => JsonNode.Parse(Mutations.NastyJsonValue(random))!;
        switch (random.Next(8))
        {
            case 0:
                entry["shape"] = new JsonArray(Enumerable.Range(0, random.Next(6)).Select(_ => (JsonNode)Mutations.NastyInt(random)).ToArray());
                break;
            case 1:
                var offsets = entry["data_offsets"]!.AsArray();
                long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
                entry["data_offsets"] = new JsonArray(begin + random.Next(-9, 10), end + random.Next(-9, 10));
                break;
            case 2:
                entry["data_offsets"] = new JsonArray(random.NextInt64(), random.Next(2) == 0 ? Nasty() : random.NextInt64());
                break;
            case 3:
                entry["dtype"] = random.Next(2) == 0 ? Nasty() : new[] { "F32", "F16", "BF16", "I8", "U8", "F64", "I64", "BOOL" }[random.Next(8)];
                break;
            case 4:
                entry.Remove(new[] { "dtype", "shape", "data_offsets" }[random.Next(3)]);
                break;
            case 5:
                root["copy" + random.Next(100)] = entry.DeepClone();
                break;
            case 6:
                root["__metadata__"] = random.Next(2) == 0 ? Nasty() : new JsonObject { ["k"] = Nasty() };
                break;
            default:
                entry[new[] { "dtype", "shape", "data_offsets" }[random.Next(3)]] = Nasty();
                break;
        }
        return root.ToJsonString();
    }
}
