using System.Collections.Generic;

namespace QQQ.Generators.Json;

/// <summary>A parsed JSON value and the characters it spans in the source text (for diagnostics).</summary>
internal abstract class JsonNode
{
    protected JsonNode(int start, int end)
    {
        Start = start;
        End = end;
    }

    /// <summary>Offset of the value's first character.</summary>
    public int Start { get; }

    /// <summary>Offset just past the value's last character.</summary>
    public int End { get; }

    /// <summary>What the value is, for messages: "an object", "a string", ...</summary>
    public abstract string Description { get; }
}

/// <summary>A JSON object; a repeated property name keeps its last value, as System.Text.Json does.</summary>
internal sealed class JsonObject : JsonNode
{
    private readonly Dictionary<string, JsonNode> _properties;

    public JsonObject(int start, int end, Dictionary<string, JsonNode> properties) : base(start, end) =>
        _properties = properties;

    public override string Description => "an object";

    public bool TryGetProperty(string name, out JsonNode value) => _properties.TryGetValue(name, out value!);
}

/// <summary>A JSON array.</summary>
internal sealed class JsonArray : JsonNode
{
    public JsonArray(int start, int end, IReadOnlyList<JsonNode> items) : base(start, end) => Items = items;

    public IReadOnlyList<JsonNode> Items { get; }

    public override string Description => "an array";
}

/// <summary>A JSON string, escapes resolved.</summary>
internal sealed class JsonString : JsonNode
{
    public JsonString(int start, int end, string value) : base(start, end) => Value = value;

    public string Value { get; }

    public override string Description => "a string";
}

/// <summary>A JSON number, kept as its source text so that integers and reals are read exactly.</summary>
internal sealed class JsonNumber : JsonNode
{
    public JsonNumber(int start, int end, string text) : base(start, end) => Text = text;

    public string Text { get; }

    /// <summary>Written without a fraction or an exponent.</summary>
    public bool IsIntegerLiteral => Text.IndexOfAny(new[] { '.', 'e', 'E' }) < 0;

    public override string Description => "a number";
}

/// <summary>JSON <c>true</c> or <c>false</c>.</summary>
internal sealed class JsonBoolean : JsonNode
{
    public JsonBoolean(int start, int end, bool value) : base(start, end) => Value = value;

    public bool Value { get; }

    public override string Description => "a boolean";
}

/// <summary>JSON <c>null</c>.</summary>
internal sealed class JsonNull : JsonNode
{
    public JsonNull(int start, int end) : base(start, end)
    {
    }

    public override string Description => "null";
}
