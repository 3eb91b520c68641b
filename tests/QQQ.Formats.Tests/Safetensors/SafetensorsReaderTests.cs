using System.Text;
using System.Text.Json;
using QQQ.Formats.Tests.Support;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Safetensors;

public class SafetensorsReaderTests
{
    static string StoriesFile => Path.Combine(SharedData.Stories260KHf, "model.safetensors");

    /// <summary>Parses a safetensors header with nothing but System.Text.Json, independently of the reader.</summary>
    static (long DataStart, JsonElement Header) ReadHeaderByHand(string path)
    {
        using var stream = File.OpenRead(path);
        var prefix = new byte[8];
        stream.ReadExactly(prefix);
        long length = (long)BitConverter.ToUInt64(prefix);
        var header = new byte[length];
        stream.ReadExactly(header);
        return (8 + length, JsonDocument.Parse(header).RootElement.Clone());
    }

    [Fact]
    public void Lists_every_tensor_of_a_real_file_as_its_header_says()
    {
        var (_, header) = ReadHeaderByHand(StoriesFile);
        using var file = SafetensorsFile.Open(StoriesFile);

        var expectedNames = header.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__").OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(expectedNames, file.Tensors.Select(t => t.Name));
        Assert.Equal(1 + 5 * 9 + 1, file.Tensors.Count); // embeddings, 9 per layer, final norm (tied: no lm_head)
        foreach (var tensor in file.Tensors)
        {
            var entry = header.GetProperty(tensor.Name);
            Assert.Equal(entry.GetProperty("dtype").GetString(), tensor.DType.HeaderName());
            Assert.Equal(entry.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()), tensor.Shape);
            Assert.Equal(entry.GetProperty("data_offsets")[0].GetInt64(), tensor.DataBegin);
            Assert.Equal(entry.GetProperty("data_offsets")[1].GetInt64() - tensor.DataBegin, tensor.ByteLength);
        }
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt" }, file.Metadata);
    }

    [Fact]
    public void Raw_bytes_and_float32_values_match_the_file_read_by_hand()
    {
        const string name = "model.layers.2.self_attn.k_proj.weight";
        var (dataStart, header) = ReadHeaderByHand(StoriesFile);
        long begin = header.GetProperty(name).GetProperty("data_offsets")[0].GetInt64();
        long end = header.GetProperty(name).GetProperty("data_offsets")[1].GetInt64();
        var expected = new byte[end - begin];
        using (var stream = File.OpenRead(StoriesFile))
        {
            stream.Position = dataStart + begin;
            stream.ReadExactly(expected);
        }

        using var file = SafetensorsFile.Open(StoriesFile);
        Assert.Equal(expected, file.GetBytes(name).ToArray());
        var values = file.ReadFloat32(name);
        Assert.Equal(32 * 64, values.Length);
        for (int i = 0; i < values.Length; i++) Assert.Equal(BitConverter.ToSingle(expected, 4 * i), values[i]);
    }

    [Fact]
    public void Converts_every_dtype_to_float32_from_unaligned_offsets()
    {
        // One U8 byte first, so every later tensor starts at an odd offset. Values are written as raw bytes.
        var data = new List<byte> { 200 };
        var header = new StringBuilder("{");
        void Tensor(string name, string dtype, int count, params byte[] bytes)
        {
            header.Append($"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{count}],\"data_offsets\":[{data.Count},{data.Count + bytes.Length}]}},");
            data.AddRange(bytes);
        }
        Tensor("bf16", "BF16", 2, 0xC0, 0x3F, 0x80, 0xBF);            // 1.5, -1.0
        Tensor("f16", "F16", 3, 0x00, 0x3C, 0x00, 0xC0, 0x00, 0x7C);  // 1.0, -2.0, +inf
        Tensor("f64", "F64", 1, 0, 0, 0, 0, 0, 0, 0x04, 0xC0);        // -2.5
        Tensor("i8", "I8", 2, 0xFF, 0x7F);                            // -1, 127
        Tensor("i16", "I16", 1, 0x00, 0x80);                          // -32768
        Tensor("u16", "U16", 1, 0xFF, 0xFF);                          // 65535
        Tensor("i32", "I32", 1, 0xFE, 0xFF, 0xFF, 0xFF);              // -2
        Tensor("u32", "U32", 1, 0x00, 0x01, 0x00, 0x00);              // 256
        Tensor("i64", "I64", 1, 0x05, 0, 0, 0, 0, 0, 0, 0);           // 5
        Tensor("u64", "U64", 1, 0x07, 0, 0, 0, 0, 0, 0, 0);           // 7
        Tensor("bool", "BOOL", 2, 1, 0);
        Tensor("f32", "F32", 1, 0x00, 0x00, 0x40, 0x40);              // 3.0
        header.Append("\"u8\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}");

        using var temp = new TempFolder();
        var path = temp.File("dtypes.safetensors");
        File.WriteAllBytes(path, RawSafetensors.Build(header.ToString(), data.ToArray()));
        using var file = SafetensorsFile.Open(path);

        Assert.Equal([1.5f, -1f], file.ReadFloat32("bf16"));
        Assert.Equal([1f, -2f, float.PositiveInfinity], file.ReadFloat32("f16"));
        Assert.Equal([-2.5f], file.ReadFloat32("f64"));
        Assert.Equal([-1f, 127f], file.ReadFloat32("i8"));
        Assert.Equal([-32768f], file.ReadFloat32("i16"));
        Assert.Equal([65535f], file.ReadFloat32("u16"));
        Assert.Equal([-2f], file.ReadFloat32("i32"));
        Assert.Equal([256f], file.ReadFloat32("u32"));
        Assert.Equal([5f], file.ReadFloat32("i64"));
        Assert.Equal([7f], file.ReadFloat32("u64"));
        Assert.Equal([1f, 0f], file.ReadFloat32("bool"));
        Assert.Equal([3f], file.ReadFloat32("f32"));
        Assert.Equal([200f], file.ReadFloat32("u8"));
    }

    [Fact]
    public void Accepts_gaps_scalars_and_empty_tensors()
    {
        const string header = """
            {"scalar":{"dtype":"F32","shape":[],"data_offsets":[4,8]},
             "empty":{"dtype":"F16","shape":[0,5],"data_offsets":[8,8]},
             "after_gap":{"dtype":"U8","shape":[2],"data_offsets":[12,14]}}
            """;
        var data = new byte[16];
        BitConverter.TryWriteBytes(data.AsSpan(4), 0.25f);
        data[12] = 9;
        using var temp = new TempFolder();
        var path = temp.File("gaps.safetensors");
        File.WriteAllBytes(path, RawSafetensors.Build(header, data));

        using var file = SafetensorsFile.Open(path);
        Assert.Empty(file.Metadata);
        Assert.Equal([0.25f], file.ReadFloat32("scalar"));
        Assert.Empty(file.GetInfo("scalar").Shape);
        Assert.Equal(0, file.GetInfo("empty").ElementCount);
        Assert.Empty(file.ReadFloat32("empty"));
        Assert.Equal([9f, 0f], file.ReadFloat32("after_gap"));
    }

    [Fact]
    public void Unknown_tensor_names_throw_key_not_found()
    {
        using var file = SafetensorsFile.Open(StoriesFile);
        Assert.False(file.Contains("lm_head.weight"));
        Assert.Throws<KeyNotFoundException>(() => file.ReadFloat32("lm_head.weight"));
    }

    [Fact]
    public void A_disposed_file_refuses_reads()
    {
        var file = SafetensorsFile.Open(StoriesFile);
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.ReadFloat32("model.norm.weight"));
    }
}
