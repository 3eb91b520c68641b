using System.Globalization;

namespace QQQ.Cli;

/// <summary>
/// Parsed <c>--name value</c> options, boolean flags and positional arguments of one verb.
/// Every option must be consumed by the verb; leftovers are reported as unknown.
/// </summary>
public sealed class Arguments
{
    readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Positionals { get; }

    Arguments(List<string> positionals) => Positionals = positionals;

    /// <param name="args">Arguments after the verb.</param>
    /// <param name="flagNames">Options that take no value (e.g. "greedy", "json").</param>
    public static Arguments Parse(IReadOnlyList<string> args, IReadOnlySet<string> flagNames)
    {
        var positionals = new List<string>();
        var result = new Arguments(positionals);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                positionals.Add(arg);
                continue;
            }
            string name = arg[2..];
            string? inlineValue = null;
            int equals = name.IndexOf('=');
            if (equals >= 0) (name, inlineValue) = (name[..equals], name[(equals + 1)..]);
            if (flagNames.Contains(name))
            {
                if (inlineValue != null) throw new UsageException($"--{name} takes no value");
                result._flags.Add(name);
                continue;
            }
            string value = inlineValue ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"--{name} needs a value"));
            if (!result._options.TryGetValue(name, out var list)) result._options[name] = list = [];
            list.Add(value);
        }
        return result;
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        return _flags.Contains(name);
    }

    /// <summary>All values given for a repeatable option; one option may also hold several values after it.</summary>
    public IReadOnlyList<string> Values(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var list) ? list : [];
    }

    public string? Optional(string name)
    {
        var values = Values(name);
        if (values.Count > 1) throw new UsageException($"--{name} given more than once");
        return values.Count == 1 ? values[0] : null;
    }

    public string Required(string name) => Optional(name) ?? throw new UsageException($"--{name} is required");

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = Optional(name);
        if (text == null) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            throw new UsageException($"--{name} must be an integer in [{min}, {max}], got '{text}'");
        return value;
    }

    public double Double(string name, double fallback, double min, double max)
    {
        var text = Optional(name);
        if (text == null) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value >= min && value <= max))
            throw new UsageException($"--{name} must be a number in [{min}, {max}], got '{text}'");
        return value;
    }

    /// <summary>Fails on options the verb never asked for (typos, options of another verb).</summary>
    public void RejectUnknown()
    {
        var unknown = _options.Keys.Concat(_flags).Where(n => !_used.Contains(n)).OrderBy(n => n, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0) throw new UsageException("unknown option " + string.Join(", ", unknown.Select(n => "--" + n)));
    }
}
