using System.Globalization;

namespace QQQ.Build.Tasks;

/// <summary>
/// Reads and checks the metadata of one QQQModel item before anything runs, so that a typo fails the build
/// at once with a QQQ0xx code instead of after the quantizer has started. Relative paths are relative to
/// the file that declared the item (its DefiningProjectDirectory), as paths in an Include are.
/// Values that depend on the model's contents (a group size that does not divide its dimensions) are
/// left to the quantizer, which reads the model.
/// </summary>
internal static class ModelSettingsReader
{
    /// <summary>The metadata a QQQModel item understands; the defaults live in build/QQQ.Build.props.</summary>
    public static class Names
    {
        public const string Granularity = "Granularity";
        public const string GroupSize = "GroupSize";
        public const string Tokenizer = "Tokenizer";
        public const string CalibrationText = "CalibrationText";
        public const string CalibrationSamples = "CalibrationSamples";
        public const string SequenceLength = "SequenceLength";
        public const string Smoothing = "Smoothing";
        public const string Seed = "Seed";
        public const string ClassName = "ClassName";
        public const string Namespace = "Namespace";
        public const string ArtifactName = "ArtifactName";
    }

    /// <returns>The settings, or null when <paramref name="problems"/> received at least one problem.</returns>
    public static ModelSettings? Read(string itemSpec, Func<string, string> metadata, string baseDirectory, List<Problem> problems)
    {
        int before = problems.Count;
        void Fail(string code, string message) => problems.Add(new Problem(code, $"QQQModel '{itemSpec}': {message}"));

        string modelPath = Resolve(baseDirectory, itemSpec);
        if (itemSpec.Trim().Length == 0)
            Fail(ErrorCodes.ModelNotFound, "the Include is empty; it must name a model file or folder");
        else if (!File.Exists(modelPath) && !Directory.Exists(modelPath))
            Fail(ErrorCodes.ModelNotFound, $"the model was not found at {modelPath}");

        string? granularity = Value(metadata, Names.Granularity).ToLowerInvariant() switch
        {
            "" or "perchannel" or "per-channel" => ModelSettings.PerChannel,
            "pergroup" or "per-group" => ModelSettings.PerGroup,
            _ => null,
        };
        if (granularity is null)
            Fail(ErrorCodes.UnknownGranularity, $"unknown Granularity '{Value(metadata, Names.Granularity)}': use PerChannel or PerGroup");

        int groupSize = -1;
        if (granularity == ModelSettings.PerGroup && !TryInteger(metadata, Names.GroupSize, 128, 1, out groupSize))
            Fail(ErrorCodes.InvalidGroupSize, $"GroupSize must be a positive integer, got '{Value(metadata, Names.GroupSize)}'");

        string? smoothing = Value(metadata, Names.Smoothing).ToLowerInvariant() switch
        {
            "" or "adaptive" => "adaptive",
            "none" => "none",
            _ => null,
        };
        if (smoothing is null)
            Fail(ErrorCodes.UnknownSmoothing, $"unknown Smoothing '{Value(metadata, Names.Smoothing)}': use Adaptive or None");

        if (!TryInteger(metadata, Names.CalibrationSamples, 128, 1, out int samples))
            Fail(ErrorCodes.InvalidNumber, $"CalibrationSamples must be a positive integer, got '{Value(metadata, Names.CalibrationSamples)}'");
        if (!TryInteger(metadata, Names.SequenceLength, 512, 2, out int sequenceLength))
            Fail(ErrorCodes.InvalidNumber, $"SequenceLength must be an integer of at least 2, got '{Value(metadata, Names.SequenceLength)}'");
        if (!TryInteger(metadata, Names.Seed, 0, int.MinValue, out int seed))
            Fail(ErrorCodes.InvalidNumber, $"Seed must be an integer, got '{Value(metadata, Names.Seed)}'");

        var calibration = Split(Value(metadata, Names.CalibrationText)).Select(path => Resolve(baseDirectory, path)).ToList();
        if (calibration.Count == 0)
            Fail(ErrorCodes.CalibrationText, "CalibrationText is required: one or more text files (';'-separated) to calibrate the quantizer on");
        foreach (var file in calibration.Where(file => !File.Exists(file)))
            Fail(ErrorCodes.CalibrationText, $"the calibration text {file} was not found");

        string? tokenizer = Value(metadata, Names.Tokenizer) is { Length: > 0 } tokenizerSpec ? Resolve(baseDirectory, tokenizerSpec) : null;
        if (tokenizer is not null && !File.Exists(tokenizer))
            Fail(ErrorCodes.TokenizerNotFound, $"the tokenizer {tokenizer} was not found");

        string artifactName = Value(metadata, Names.ArtifactName) is { Length: > 0 } name ? name : DefaultArtifactName(modelPath);
        if (!IsSafeFileName(artifactName))
            Fail(ErrorCodes.InvalidArtifactName,
                $"the artifact name '{artifactName}' must be letters, digits, '.', '-' or '_' and not start with '.' (set ArtifactName)");

        if (problems.Count > before) return null;
        return new ModelSettings(modelPath, tokenizer, calibration, granularity!, groupSize, samples, sequenceLength, smoothing!, seed,
            artifactName, Value(metadata, Names.ClassName), Value(metadata, Names.Namespace));
    }

    /// <summary>The model's file name without its extension, or its folder's name: stories260K.bin gives stories260K.</summary>
    public static string DefaultArtifactName(string modelPath)
    {
        var trimmed = modelPath.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return Directory.Exists(trimmed) ? Path.GetFileName(trimmed) : Path.GetFileNameWithoutExtension(trimmed);
    }

    /// <summary>A name that is the same file on every file system and never a hidden or temporary file.</summary>
    static bool IsSafeFileName(string name) =>
        name.Length > 0 && name[0] != '.' && name.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '-' or '_');

    static string Value(Func<string, string> metadata, string name) => (metadata(name) ?? "").Trim();

    static bool TryInteger(Func<string, string> metadata, string name, int fallback, int min, out int value)
    {
        var text = Value(metadata, name);
        if (text.Length == 0)
        {
            value = fallback;
            return true;
        }
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= min;
    }

    static IEnumerable<string> Split(string list) =>
        list.Split(';').Select(part => part.Trim()).Where(part => part.Length > 0);

    static string Resolve(string baseDirectory, string path) => Path.GetFullPath(Path.Combine(baseDirectory, path.Trim()));
}
