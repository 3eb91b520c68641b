using QQQ.Generators.Json;

namespace QQQ.Generators.Tests;

/// <summary>The generator's own JSON reader: strict RFC 8259, positions kept, bounded nesting.</summary>
public sealed class JsonParserTests
{
    [Fact]
    public void ReadsEveryKindOfValue_WithPositions()
    {
        const string text = "\uFEFF { \"s\": \"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\", \"n\": -12.5e+3, \"i\": 0, \"t\": true, \"f\": false, \"z\": null, \"a\": [1, [], {}] } ";

        var root = Assert.IsType<JsonObject>(JsonParser.Parse(text));

        Assert.Equal((2, text.Length - 1), (root.Start, root.End));
        Assert.True(root.TryGetProperty("s", out var s));
        Assert.Equal("a\"b\\c/\b\f\n\r\t\u00e9\U0001F600", Assert.IsType<JsonString>(s).Value);
        Assert.Equal(text.IndexOf("\"a\\\"", StringComparison.Ordinal), s.Start);
        Assert.True(root.TryGetProperty("n", out var n));
        Assert.Equal("-12.5e+3", Assert.IsType<JsonNumber>(n).Text);
        Assert.False(((JsonNumber)n).IsIntegerLiteral);
        Assert.True(root.TryGetProperty("i", out var i));
        Assert.True(Assert.IsType<JsonNumber>(i).IsIntegerLiteral);
        Assert.True(root.TryGetProperty("t", out var t) && Assert.IsType<JsonBoolean>(t).Value);
        Assert.True(root.TryGetProperty("f", out var f) && !Assert.IsType<JsonBoolean>(f).Value);
        Assert.True(root.TryGetProperty("z", out var z));
        Assert.IsType<JsonNull>(z);
        Assert.True(root.TryGetProperty("a", out var a));
        var items = Assert.IsType<JsonArray>(a).Items;
        Assert.Equal(3, items.Count);
        Assert.IsType<JsonArray>(items[1]);
        Assert.IsType<JsonObject>(items[2]);
        Assert.False(root.TryGetProperty("S", out _));
    }

    [Fact]
    public void RepeatedProperty_KeepsTheLastValue()
    {
        var root = Assert.IsType<JsonObject>(JsonParser.Parse("{\"a\": 1, \"a\": 2}"));

        Assert.True(root.TryGetProperty("a", out var a));
        Assert.Equal("2", Assert.IsType<JsonNumber>(a).Text);
    }

    [Theory]
    [InlineData("", 0, "unexpected end of text, expected a value")]
    [InlineData("{\"a\": 1,}", 8, "expected a property name in double quotes")]
    [InlineData("[1, 2,]", 6, "unexpected character ']', expected a value")]
    [InlineData("{\"a\" 1}", 5, "expected ':'")]
    [InlineData("{} {}", 3, "after the end of the JSON value")]
    [InlineData("// comment\n{}", 0, "unexpected character '/'")]
    [InlineData("{'a': 1}", 1, "expected a property name in double quotes")]
    [InlineData("[01]", 2, "leading zeros")]
    [InlineData("[1.]", 3, "expected a digit after the decimal point")]
    [InlineData("[1e]", 3, "expected a digit in the exponent")]
    [InlineData("[-]", 2, "expected a digit")]
    [InlineData("[+1]", 1, "unexpected character '+'")]
    [InlineData("[NaN]", 1, "unexpected character 'N'")]
    [InlineData("[tru]", 1, "expected a value")]
    [InlineData("[\"a\\x\"]", 3, "invalid escape sequence '\\x'")]
    [InlineData("[\"\\u12G4\"]", 4, "invalid \\u escape sequence")]
    [InlineData("[\"a\tb\"]", 3, "unexpected character '\\u0009' inside a string")]
    [InlineData("[\"abc", 5, "unexpected end of text inside a string")]
    public void InvalidJson_IsRejectedWithTheOffset(string text, int offset, string expectedMessage)
    {
        var error = Assert.Throws<JsonSyntaxException>(() => JsonParser.Parse(text));

        Assert.Equal(offset, error.Offset);
        Assert.Contains(expectedMessage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_IsLimited()
    {
        Assert.IsType<JsonArray>(JsonParser.Parse(new string('[', JsonParser.MaxDepth) + new string(']', JsonParser.MaxDepth)));

        var error = Assert.Throws<JsonSyntaxException>(() => JsonParser.Parse(new string('[', 100_000)));
        Assert.Contains("nested more than 64 deep", error.Message, StringComparison.Ordinal);
    }
}
