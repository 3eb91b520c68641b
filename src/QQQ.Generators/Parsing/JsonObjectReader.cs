using System.Globalization;
using QQQ.Generators.Diagnostics;
using QQQ.Generators.Json;

namespace QQQ.Generators.Parsing;

/// <summary>
/// Typed access to the properties of one manifest object, with the same rules as System.Text.Json's
/// defaults (case-sensitive names, no numbers in strings, integers without fraction or exponent).
/// A missing or wrong-typed property throws a QQQ101 <see cref="ManifestException"/> that names its path.
/// </summary>
internal sealed class JsonObjectReader
{
    private readonly string _pathPrefix;

    public JsonObjectReader(JsonObject node, string path)
    {
        Node = node;
        _pathPrefix = path.Length == 0 ? "" : path + ".";
    }

    public JsonObject Node { get; }

    /// <summary>The node of a property that was read, or this object's when the property is absent.</summary>
    public JsonNode NodeOf(string name) => Node.TryGetProperty(name, out var value) ? value : Node;

    public string PathOf(string name) => _pathPrefix + name;

    public string RequiredString(string name) => AsString(name, Required(name));

    public string OptionalString(string name, string defaultValue) =>
        Node.TryGetProperty(name, out var value) ? AsString(name, value) : defaultValue;

    public int RequiredInt(string name) => AsInt(name, Required(name));

    public int OptionalInt(string name, int defaultValue) =>
        Node.TryGetProperty(name, out var value) ? AsInt(name, value) : defaultValue;

    /// <summary>A number; NaN when it is out of range (hosts on .NET Framework do not parse to infinity).</summary>
    public double RequiredNumber(string name) =>
        Required(name) is JsonNumber number
            ? double.TryParse(number.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN
            : throw WrongType(name, "a number");

    public bool RequiredBool(string name) => AsBool(name, Required(name));

    public bool OptionalBool(string name, bool defaultValue) =>
        Node.TryGetProperty(name, out var value) ? AsBool(name, value) : defaultValue;

    public JsonObjectReader RequiredObject(string name) =>
        Required(name) is JsonObject value ? new JsonObjectReader(value, PathOf(name)) : throw WrongType(name, "an object");

    /// <summary>An object property that may be absent or null.</summary>
    public JsonObjectReader? OptionalObject(string name) =>
        !Node.TryGetProperty(name, out var value) || value is JsonNull ? null
        : value is JsonObject node ? new JsonObjectReader(node, PathOf(name))
        : throw WrongType(name, "an object or null");

    public JsonArray RequiredArray(string name) => Required(name) as JsonArray ?? throw WrongType(name, "an array");

    private JsonNode Required(string name) =>
        Node.TryGetProperty(name, out var value)
            ? value
            : throw new ManifestException(Descriptors.InvalidManifest, Node, atStartOnly: true,
                $"required property '{PathOf(name)}' is missing");

    private string AsString(string name, JsonNode value) =>
        value is JsonString text ? text.Value : throw WrongType(name, "a string");

    private bool AsBool(string name, JsonNode value) =>
        value is JsonBoolean boolean ? boolean.Value : throw WrongType(name, "true or false");

    private int AsInt(string name, JsonNode value)
    {
        if (value is not JsonNumber number) throw WrongType(name, "an integer");
        if (number.IsIntegerLiteral &&
            int.TryParse(number.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result))
            return result;
        throw new ManifestException(Descriptors.InvalidManifest, value, atStartOnly: false,
            $"property '{PathOf(name)}' must be a 32-bit integer, but is {number.Text}");
    }

    private ManifestException WrongType(string name, string expected)
    {
        var value = NodeOf(name);
        return new ManifestException(Descriptors.InvalidManifest, value, atStartOnly: false,
            $"property '{PathOf(name)}' must be {expected}, but is {value.Description}");
    }
}
