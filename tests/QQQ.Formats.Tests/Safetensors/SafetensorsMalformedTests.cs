using QQQ.Formats.Tests.Support;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Safetensors;

/// <summary>Each defect must surface as a ModelFormatException whose message names it.</summary>
public sealed class SafetensorsMalformedTests : IDisposable
{
    readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    const string GoodHeader = """{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"F16","shape":[4],"data_offsets":[16,24]}}""";

    ModelFormatException OpenFails(byte[] bytes)
    {
        var path = temp.File("bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<ModelFormatException>(() => SafetensorsFile.Open(path).Dispose());
        Assert.Equal(path, error.FilePath);
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }

    static byte[] WithHeader(string header, int dataLength = 24) => RawSafetensors.Build(header, dataLength);

    [Fact]
    public void The_good_file_used_below_opens()
    {
        var path = temp.File("good.safetensors");
        File.WriteAllBytes(path, WithHeader(GoodHeader));
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(2, file.Tensors.Count);
    }

    [Fact]
    public void File_shorter_than_the_length_prefix() =>
        Assert.Contains("fewer than the 8 bytes", OpenFails([1, 0, 0]).Problem);

    [Fact]
    public void Truncated_file() =>
        Assert.Contains("run past the end of the data section", OpenFails(WithHeader(GoodHeader)[..^5]).Problem);

    [Fact]
    public void Header_length_past_end_of_file()
    {
        var bytes = WithHeader(GoodHeader);
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (ulong)bytes.Length);
        Assert.Contains("runs past the end of the file", OpenFails(bytes).Problem);
    }

    [Fact]
    public void Absurd_header_length() =>
        Assert.Contains("runs past the end of the file", OpenFails([.. BitConverter.GetBytes(ulong.MaxValue), .. new byte[16]]).Problem);

    [Fact]
    public void Empty_header() => Assert.Contains("header is empty", OpenFails(new byte[8]).Problem);

    [Fact]
    public void Invalid_json() =>
        Assert.Contains("not valid JSON", OpenFails(WithHeader(GoodHeader[..^3] + " ")).Problem);

    [Fact]
    public void Header_not_utf8()
    {
        var bytes = WithHeader(GoodHeader);
        bytes[10] = 0xFF; // inside the first tensor name
        Assert.Contains("not valid UTF-8", OpenFails(bytes).Problem);
    }

    [Fact]
    public void Unknown_dtype() =>
        Assert.Contains("unknown dtype 'F7'", OpenFails(WithHeader(GoodHeader.Replace("F16", "F7"))).Problem);

    [Fact]
    public void Negative_dimension() =>
        Assert.Contains("shape dimension 0 is negative", OpenFails(WithHeader(GoodHeader.Replace("[4]", "[-4]"))).Problem);

    [Fact]
    public void Shape_product_overflow() =>
        Assert.Contains("shape product overflows",
            OpenFails(WithHeader(GoodHeader.Replace("[2,2]", "[2147483647,2147483647,2147483647]"))).Problem);

    [Fact]
    public void Offsets_out_of_range() =>
        Assert.Contains("data_offsets [16, 40] run past the end of the data section (24 bytes)",
            OpenFails(WithHeader(GoodHeader.Replace("[16,24]", "[16,40]").Replace("[4]", "[12]"))).Problem);

    [Fact]
    public void Offsets_begin_after_end() =>
        Assert.Contains("begin after their end", OpenFails(WithHeader(GoodHeader.Replace("[16,24]", "[24,16]"))).Problem);

    [Fact]
    public void Negative_offset() =>
        Assert.Contains("not non-negative integers", OpenFails(WithHeader(GoodHeader.Replace("[16,24]", "[-8,0]"))).Problem);

    [Fact]
    public void Size_does_not_match_shape_and_dtype() =>
        Assert.Contains("hold 8 bytes but F16 [5] needs 10", OpenFails(WithHeader(GoodHeader.Replace("[4]", "[5]"))).Problem);

    [Fact]
    public void Overlapping_tensors() =>
        Assert.Contains("tensors 'a' and 'b' overlap", OpenFails(WithHeader(GoodHeader.Replace("[16,24]", "[12,20]"))).Problem);

    [Fact]
    public void Duplicate_tensor_name() =>
        Assert.Contains("'a' appears twice", OpenFails(WithHeader(GoodHeader.Replace("\"b\"", "\"a\""))).Problem);

    [Fact]
    public void Metadata_value_not_a_string() =>
        Assert.Contains("value of 'n' is not a string",
            OpenFails(WithHeader(GoodHeader.Replace("{\"a\"", "{\"__metadata__\":{\"n\":3},\"a\""))).Problem);

    [Fact]
    public void Header_not_an_object() => Assert.Contains("not a JSON object", OpenFails(WithHeader("[1,2]")).Problem);

    [Fact]
    public void Tensor_entry_missing_a_field() =>
        Assert.Contains("'data_offsets' is missing", OpenFails(WithHeader(GoodHeader.Replace(",\"data_offsets\":[16,24]", ""))).Problem);

    [Fact]
    public void Control_characters_in_names_stay_on_one_line() =>
        Assert.Contains("tensor 'x\\u000ay': unknown dtype", OpenFails(WithHeader("""{"x\ny":{"dtype":"Q","shape":[],"data_offsets":[0,0]}}""")).Problem);

    [Fact]
    public void Missing_file() =>
        Assert.Contains("file not found",
            Assert.Throws<ModelFormatException>(() => SafetensorsFile.Open(temp.File("nothing.safetensors"))).Problem);
}
