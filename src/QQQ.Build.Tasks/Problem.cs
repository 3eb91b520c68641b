namespace QQQ.Build.Tasks;

/// <summary>One thing wrong with a QQQModel item, reported as an error with <see cref="Code"/>.</summary>
internal sealed record Problem(string Code, string Message);
