namespace QQQ.Build.Tasks;

/// <summary>
/// Codes of the errors and warnings the build integration reports (QQQ1xx belong to the source generator).
/// Each is documented in docs/BUILD.md; keep the two in step. Warnings can be silenced with NoWarn or
/// promoted with WarningsAsErrors, which match on these codes.
/// </summary>
internal static class ErrorCodes
{
    public const string ModelNotFound = "QQQ001";
    public const string UnknownGranularity = "QQQ002";
    public const string InvalidGroupSize = "QQQ003";
    public const string GroupSizeDoesNotDivide = "QQQ004";
    public const string UnknownSmoothing = "QQQ005";
    public const string InvalidNumber = "QQQ006";
    public const string CalibrationText = "QQQ007";
    public const string TokenizerNotFound = "QQQ008";
    public const string InvalidArtifactName = "QQQ009";
    public const string ToolNotFound = "QQQ010";
    public const string InputRejected = "QQQ011";
    public const string OptionsRejected = "QQQ012";
    public const string QuantizerFailed = "QQQ013";
    public const string ArtifactMissing = "QQQ014";
}
