using System.Globalization;

namespace QQQ.Build.Tasks;

/// <summary>
/// The validated options of one QQQModel item, with every path absolute and every value in the spelling
/// of the <c>qqq quantize</c> command line (per-channel, adaptive, ...).
/// </summary>
internal sealed record ModelSettings(
    string ModelPath,
    string? TokenizerPath,
    IReadOnlyList<string> CalibrationFiles,
    string Granularity,
    int GroupSize,
    int CalibrationSamples,
    int SequenceLength,
    string Smoothing,
    int Seed,
    string ArtifactName,
    string ClassName,
    string Namespace)
{
    public const string PerChannel = "per-channel";
    public const string PerGroup = "per-group";

    public bool IsPerGroup => Granularity == PerGroup;

    /// <summary>Arguments after <c>qqq.dll</c> that quantize this model into <paramref name="artifactPath"/>.</summary>
    public IReadOnlyList<string> QuantizeArguments(string artifactPath)
    {
        var arguments = new List<string> { "quantize", "--model", ModelPath, "--out", artifactPath, "--name", ArtifactName };
        if (TokenizerPath is not null) arguments.AddRange(["--tokenizer", TokenizerPath]);
        foreach (var file in CalibrationFiles) arguments.AddRange(["--calibration", file]);
        arguments.AddRange(["--granularity", Granularity]);
        if (IsPerGroup) arguments.AddRange(["--group-size", Text(GroupSize)]);
        arguments.AddRange([
            "--samples", Text(CalibrationSamples),
            "--seq-len", Text(SequenceLength),
            "--smooth", Smoothing,
            "--seed", Text(Seed),
        ]);
        return arguments;
    }

    /// <summary>
    /// Contents of the options stamp: everything that changes the artifact but is not an input file (those
    /// count by timestamp), the quantizer included. The group size counts only for per-group quantization, so editing it
    /// on a per-channel model does not re-quantize. ClassName and Namespace only reach the generator.
    /// </summary>
    public IReadOnlyList<string> StampLines(string toolHash) =>
    [
        "tool-sha256=" + toolHash,
        "model=" + ModelPath,
        "tokenizer=" + (TokenizerPath ?? "(beside the model)"),
        .. CalibrationFiles.Select(file => "calibration=" + file),
        "granularity=" + Granularity + (IsPerGroup ? " " + Text(GroupSize) : ""),
        "samples=" + Text(CalibrationSamples),
        "seq-len=" + Text(SequenceLength),
        "smoothing=" + Smoothing,
        "seed=" + Text(Seed),
        "name=" + ArtifactName,
    ];

    static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
