namespace QQQ.Generators.Naming;

/// <summary>A name made valid for C#: <paramref name="Problem"/> says what was wrong, null when nothing was.</summary>
internal readonly record struct NameFix(string Name, string? Problem);
