using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace QQQ.Generators.Json;

/// <summary>
/// A strict RFC 8259 JSON reader (no comments, no trailing commas, like System.Text.Json's defaults),
/// self-contained so that the generator loads in any compiler host. Nesting is limited so that hostile
/// input cannot overflow the compiler's stack.
/// </summary>
internal sealed class JsonParser
{
    /// <summary>Deepest nesting of objects and arrays accepted.</summary>
    public const int MaxDepth = 64;

    private readonly string _text;
    private int _position;

    private JsonParser(string text) => _text = text;

    /// <summary>Parses one JSON value that spans the whole text (a leading byte order mark is skipped).</summary>
    /// <exception cref="JsonSyntaxException">The text is not valid JSON.</exception>
    public static JsonNode Parse(string text)
    {
        var parser = new JsonParser(text);
        if (text.Length > 0 && text[0] == '\uFEFF') parser._position = 1;
        parser.SkipWhitespace();
        var value = parser.ParseValue(depth: 0);
        parser.SkipWhitespace();
        if (parser._position < text.Length) throw parser.Error("unexpected " + parser.Describe() + " after the end of the JSON value");
        return value;
    }

    private JsonNode ParseValue(int depth)
    {
        if (_position >= _text.Length) throw Error("unexpected end of text, expected a value");
        switch (_text[_position])
        {
            case '{': return ParseObject(depth + 1);
            case '[': return ParseArray(depth + 1);
            case '"': return ParseString();
            case 't': return ParseKeyword("true", (start, end) => new JsonBoolean(start, end, true));
            case 'f': return ParseKeyword("false", (start, end) => new JsonBoolean(start, end, false));
            case 'n': return ParseKeyword("null", (start, end) => new JsonNull(start, end));
            case '-':
            case >= '0' and <= '9':
                return ParseNumber();
            default: throw Error("unexpected " + Describe() + ", expected a value");
        }
    }

    private JsonObject ParseObject(int depth)
    {
        CheckDepth(depth);
        var start = _position++;
        var properties = new Dictionary<string, JsonNode>(System.StringComparer.Ordinal);
        SkipWhitespace();
        if (TryConsume('}')) return new JsonObject(start, _position, properties);
        while (true)
        {
            if (_position >= _text.Length || _text[_position] != '"')
                throw Error("unexpected " + Describe() + ", expected a property name in double quotes");
            var name = ParseString().Value;
            SkipWhitespace();
            Expect(':');
            SkipWhitespace();
            properties[name] = ParseValue(depth);
            SkipWhitespace();
            if (TryConsume('}')) return new JsonObject(start, _position, properties);
            Expect(',');
            SkipWhitespace();
        }
    }

    private JsonArray ParseArray(int depth)
    {
        CheckDepth(depth);
        var start = _position++;
        var items = new List<JsonNode>();
        SkipWhitespace();
        if (TryConsume(']')) return new JsonArray(start, _position, items);
        while (true)
        {
            items.Add(ParseValue(depth));
            SkipWhitespace();
            if (TryConsume(']')) return new JsonArray(start, _position, items);
            Expect(',');
            SkipWhitespace();
        }
    }

    private JsonString ParseString()
    {
        var start = _position++;
        var value = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length) throw Error("unexpected end of text inside a string");
            var c = _text[_position];
            if (c == '"')
            {
                _position++;
                return new JsonString(start, _position, value.ToString());
            }
            if (c < ' ') throw Error("unexpected " + Describe() + " inside a string (control characters must be escaped)");
            _position++;
            if (c != '\\')
            {
                value.Append(c);
                continue;
            }
            if (_position >= _text.Length) throw Error("unexpected end of text inside a string");
            var escape = _text[_position++];
            switch (escape)
            {
                case '"': value.Append('"'); break;
                case '\\': value.Append('\\'); break;
                case '/': value.Append('/'); break;
                case 'b': value.Append('\b'); break;
                case 'f': value.Append('\f'); break;
                case 'n': value.Append('\n'); break;
                case 'r': value.Append('\r'); break;
                case 't': value.Append('\t'); break;
                case 'u': value.Append(ParseUnicodeEscape()); break;
                default:
                    _position -= 2;
                    throw Error("invalid escape sequence '\\" + Describe(escape) + "' in a string");
            }
        }
    }

    private char ParseUnicodeEscape()
    {
        if (_position + 4 > _text.Length ||
            !int.TryParse(_text.Substring(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
            throw Error("invalid \\u escape sequence in a string (expected 4 hexadecimal digits)");
        _position += 4;
        return (char)code;
    }

    private JsonNumber ParseNumber()
    {
        var start = _position;
        TryConsume('-');
        if (TryConsume('0'))
        {
            if (_position < _text.Length && IsDigit(_text[_position])) throw Error("numbers must not have leading zeros");
        }
        else
        {
            ConsumeDigits("a digit");
        }
        if (TryConsume('.')) ConsumeDigits("a digit after the decimal point");
        if (TryConsume('e') || TryConsume('E'))
        {
            if (!TryConsume('+')) TryConsume('-');
            ConsumeDigits("a digit in the exponent");
        }
        return new JsonNumber(start, _position, _text.Substring(start, _position - start));
    }

    private void ConsumeDigits(string expected)
    {
        if (_position >= _text.Length || !IsDigit(_text[_position]))
            throw Error("unexpected " + Describe() + ", expected " + expected);
        while (_position < _text.Length && IsDigit(_text[_position])) _position++;
    }

    private JsonNode ParseKeyword(string keyword, System.Func<int, int, JsonNode> create)
    {
        if (string.CompareOrdinal(_text, _position, keyword, 0, keyword.Length) != 0)
            throw Error("unexpected " + Describe() + ", expected a value");
        var start = _position;
        _position += keyword.Length;
        return create(start, _position);
    }

    private void CheckDepth(int depth)
    {
        if (depth > MaxDepth) throw Error("objects and arrays are nested more than " + MaxDepth.ToString(CultureInfo.InvariantCulture) + " deep");
    }

    private void SkipWhitespace()
    {
        while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\n' or '\r') _position++;
    }

    private bool TryConsume(char c)
    {
        if (_position >= _text.Length || _text[_position] != c) return false;
        _position++;
        return true;
    }

    private void Expect(char c)
    {
        if (!TryConsume(c)) throw Error("unexpected " + Describe() + ", expected '" + c + "'");
    }

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private string Describe() => _position >= _text.Length ? "end of text" : "character '" + Describe(_text[_position]) + "'";

    private static string Describe(char c) =>
        c < ' ' || c > '~' ? "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) : c.ToString();

    private JsonSyntaxException Error(string message) => new(_position, message);
}
