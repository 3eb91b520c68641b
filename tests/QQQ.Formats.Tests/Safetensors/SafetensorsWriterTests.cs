using System.Text;
using QQQ.Formats.Tests.Support;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Safetensors;

public class SafetensorsWriterTests
{
    [Fact]
    public void Writes_the_exact_bytes_the_format_prescribes()
    {
        var writer = new SafetensorsWriter();
        writer.Metadata["format"] = "pt";
        writer.Add<float>("b", [2], [1f, -2f]);
        writer.Add<byte>("a", [1, 3], [7, 8, 9]);
        using var temp = new TempFolder();
        var path = temp.File("out.safetensors");
        writer.Write(path);

        // Written out by hand: sorted names, compact JSON, spaces up to an 8-byte boundary, data back to back.
        const string json = """{"__metadata__":{"format":"pt"},"a":{"dtype":"U8","shape":[1,3],"data_offsets":[0,3]},"b":{"dtype":"F32","shape":[2],"data_offsets":[3,11]}}""";
        var padded = json + new string(' ', (8 - (8 + json.Length) % 8) % 8);
        var data = new byte[] { 7, 8, 9, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0 };
        Assert.Equal(RawSafetensors.Build(padded, data), File.ReadAllBytes(path));
        Assert.Equal(0, (8 + padded.Length) % 8);
    }

    [Fact]
    public void Round_trips_values_shapes_dtypes_and_metadata()
    {
        var random = new Random(7);
        var floats = QQQ.TestSupport.Numerics.RandomNonZero(random, 6 * 5);
        var halves = floats.Select(v => (Half)v).ToArray();
        var bf16 = new byte[] { 0xC0, 0x3F, 0x20, 0x41 }; // 1.5, 10.0
        var writer = new SafetensorsWriter();
        writer.Metadata["quantizer"] = "qqq";
        writer.Metadata["note"] = "ünïcode + symbols";
        writer.Add<float>("w.f32", [6, 5], floats);
        writer.Add<Half>("w.f16", [5, 6], halves);
        writer.Add("w.bf16", SafetensorsDType.BF16, [2], bf16);
        writer.Add<sbyte>("q.i8", [3], [-128, 0, 127]);
        writer.Add<int>("packed", [2, 2], [int.MinValue, -1, 0, int.MaxValue]);
        writer.Add<Half>("empty", [0, 4], []);

        using var temp = new TempFolder();
        var path = temp.File("round.safetensors");
        writer.Write(path);
        using var file = SafetensorsFile.Open(path);

        Assert.Equal(["empty", "packed", "q.i8", "w.bf16", "w.f16", "w.f32"], file.Tensors.Select(t => t.Name));
        Assert.Equal(writer.Metadata, file.Metadata);
        Assert.Equal(floats, file.ReadFloat32("w.f32"));
        Assert.Equal([6, 5], file.GetInfo("w.f32").Shape);
        Assert.Equal(halves.Select(h => (float)h), file.ReadFloat32("w.f16"));
        Assert.Equal([1.5f, 10f], file.ReadFloat32("w.bf16"));
        Assert.Equal(SafetensorsDType.I8, file.GetInfo("q.i8").DType);
        Assert.Equal([-128f, 0f, 127f], file.ReadFloat32("q.i8"));
        Assert.Equal(new[] { int.MinValue, -1, 0, int.MaxValue }, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(file.GetBytes("packed")).ToArray());
        Assert.Equal([0, 4], file.GetInfo("empty").Shape);
    }

    [Fact]
    public void Output_does_not_depend_on_the_order_of_additions()
    {
        byte[] WriteInOrder(bool reversed)
        {
            var writer = new SafetensorsWriter();
            var steps = new List<Action>
            {
                () => writer.Add<float>("z", [3], [1f, 2f, 3f]),
                () => writer.Add<short>("m", [2], [-5, 5]),
                () => writer.Metadata["k2"] = "v2",
                () => writer.Add<Half>("a", [1], [(Half)0.5f]),
                () => writer.Metadata["k1"] = "v1",
            };
            if (reversed) steps.Reverse();
            steps.ForEach(step => step());
            using var temp = new TempFolder();
            writer.Write(temp.File("o.safetensors"));
            return File.ReadAllBytes(temp.File("o.safetensors"));
        }

        var forward = WriteInOrder(false);
        Assert.Equal(forward, WriteInOrder(true));
        var headerLength = (int)BitConverter.ToUInt64(forward);
        Assert.Equal(0, headerLength % 8);
        Assert.StartsWith("""{"__metadata__":{"k1":"v1","k2":"v2"},"a":""", Encoding.UTF8.GetString(forward, 8, headerLength));
    }

    [Fact]
    public void Replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        using var temp = new TempFolder();
        var path = temp.File("model.safetensors");
        File.WriteAllText(path, "old content");
        var writer = new SafetensorsWriter();
        writer.Add<float>("x", [1], [4f]);
        writer.Write(path);

        Assert.Equal([path], Directory.GetFiles(temp.Path));
        using var file = SafetensorsFile.Open(path);
        Assert.Equal([4f], file.ReadFloat32("x"));
    }

    [Fact]
    public void A_failed_write_removes_its_temporary_file()
    {
        using var temp = new TempFolder();
        var target = temp.File("taken");
        Directory.CreateDirectory(target); // the final rename onto a folder fails after the data is written
        var writer = new SafetensorsWriter();
        writer.Add<float>("x", [1], [4f]);

        Assert.ThrowsAny<IOException>(() => writer.Write(target));
        Assert.Empty(Directory.GetFiles(temp.Path));
        Assert.True(Directory.Exists(target));
    }

    [Fact]
    public void Refuses_tensors_it_could_not_write_correctly()
    {
        var writer = new SafetensorsWriter();
        writer.Add<float>("x", [2], [1f, 2f]);
        Assert.Throws<ArgumentException>(() => writer.Add<float>("x", [1], [1f]));
        Assert.Throws<ArgumentException>(() => writer.Add<float>("__metadata__", [1], [1f]));
        Assert.Throws<ArgumentException>(() => writer.Add<float>("y", [3], [1f, 2f]));
        Assert.Throws<ArgumentException>(() => writer.Add<float>("y", [-1], []));
        Assert.Throws<ArgumentException>(() => writer.Add<float>("", [1], [1f]));
    }
}
