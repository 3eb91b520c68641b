using System;

namespace QQQ.Generators.Json;

/// <summary>The text is not valid JSON; <see cref="Offset"/> is where the parser stopped.</summary>
internal sealed class JsonSyntaxException : Exception
{
    public JsonSyntaxException(int offset, string message) : base(message) => Offset = offset;

    public int Offset { get; }
}
