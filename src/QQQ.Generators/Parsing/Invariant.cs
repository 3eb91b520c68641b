using System.Globalization;

namespace QQQ.Generators.Parsing;

/// <summary>Culture-invariant number text, so messages and generated code never depend on the build machine.</summary>
internal static class Invariant
{
    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
