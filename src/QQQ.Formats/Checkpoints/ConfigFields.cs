using System.Text.Json;

namespace QQQ.Formats;

/// <summary>
/// Typed access to the fields of one JSON object of config.json. Every wrong or missing value becomes a
/// <see cref="ModelFormatException"/> naming the file and the field (dotted for nested objects).
/// JSON null counts as absent, as transformers writes null for "use the default".
/// </summary>
internal sealed class ConfigFields(string path, JsonElement json, string prefix = "")
{
    public ModelFormatException Fail(string problem) => new(path, problem);

    string Display(string name) => $"'{prefix}{name}'";

    JsonElement? Get(string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    string Shown(JsonElement value) => MessageText.Quote(value.GetRawText());

    /// <summary>A positive int32 that must be present.</summary>
    public int RequiredPositiveInt(string name) =>
        OptionalPositiveInt(name) ?? throw Fail($"field {Display(name)} is missing");

    public int? OptionalPositiveInt(string name)
    {
        if (Get(name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int result) || result <= 0)
            throw Fail($"field {Display(name)} must be a positive integer, not {Shown(value)}");
        return result;
    }

    public double RequiredNumber(string name) =>
        OptionalNumber(name) ?? throw Fail($"field {Display(name)} is missing");

    public double? OptionalNumber(string name)
    {
        if (Get(name) is not { } value) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double result) || !double.IsFinite(result))
            throw Fail($"field {Display(name)} must be a number, not {Shown(value)}");
        return result;
    }

    public bool? OptionalBool(string name)
    {
        if (Get(name) is not { } value) return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Fail($"field {Display(name)} must be true or false, not {Shown(value)}"),
        };
    }

    public string RequiredString(string name) =>
        OptionalString(name) ?? throw Fail($"field {Display(name)} is missing");

    public string? OptionalString(string name)
    {
        if (Get(name) is not { } value) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Fail($"field {Display(name)} must be a string, not {Shown(value)}");
    }

    /// <summary>A nested object's fields (e.g. rope_parameters), or null when absent.</summary>
    public ConfigFields? OptionalObject(string name)
    {
        if (Get(name) is not { } value) return null;
        return value.ValueKind == JsonValueKind.Object
            ? new ConfigFields(path, value, $"{prefix}{name}.")
            : throw Fail($"field {Display(name)} must be an object, not {Shown(value)}");
    }

    /// <summary>A token id: an integer, or a list of them (eos_token_id may list several; the first is the main one).</summary>
    public int? OptionalTokenId(string name)
    {
        if (Get(name) is not { } value) return null;
        var first = value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0 ? value[0] : value;
        if (first.ValueKind != JsonValueKind.Number || !first.TryGetInt32(out int id) || id < 0)
            throw Fail($"field {Display(name)} must be a token id or a non-empty list of them, not {Shown(value)}");
        return id;
    }
}
