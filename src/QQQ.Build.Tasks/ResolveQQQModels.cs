using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace QQQ.Build.Tasks;

/// <summary>
/// Checks every QQQModel item and describes what building it takes: the artifact and manifest paths under
/// <see cref="OutputPath"/>, the options stamp, the files the quantization depends on (for the target's
/// Inputs) and the generator's class name and namespace. Cheap, so it runs in every build (design-time
/// ones too); problems become QQQ0xx errors at the item's line in the project that declared it.
/// </summary>
public sealed class ResolveQQQModels : Microsoft.Build.Utilities.Task
{
    /// <summary>The QQQModel items.</summary>
    [Required] public ITaskItem[] Models { get; set; } = [];

    /// <summary>Folder of the artifacts (QQQOutputPath), absolute.</summary>
    [Required] public string OutputPath { get; set; } = "";

    /// <summary>The quantizer (qqq.dll); a hash of its folder's QQQ assemblies goes into the stamp, so a new quantizer re-quantizes.</summary>
    public string ToolPath { get; set; } = "";

    /// <summary>Whether the quantizer must exist: false in design-time builds and with QQQSkipQuantization.</summary>
    public bool RequireTool { get; set; } = true;

    /// <summary>One item per model, its spec the artifact's path; see build/QQQ.Build.targets for the metadata.</summary>
    [Output] public ITaskItem[] ResolvedModels { get; set; } = [];

    public override bool Execute()
    {
        var toolHash = ToolIdentity.Hash(ToolPath);
        var resolved = new List<ITaskItem>();
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var model in Models)
        {
            var problems = new List<Problem>();
            string projectFile = model.GetMetadata("DefiningProjectFullPath");
            string baseDirectory = model.GetMetadata("DefiningProjectDirectory") is { Length: > 0 } directory ? directory : Directory.GetCurrentDirectory();
            var settings = ModelSettingsReader.Read(model.ItemSpec, model.GetMetadata, baseDirectory, problems);
            if (settings is not null && !names.TryAdd(settings.ArtifactName, model.ItemSpec))
                problems.Add(new Problem(ErrorCodes.InvalidArtifactName,
                    $"QQQModel '{model.ItemSpec}': its artifact name '{settings.ArtifactName}' is also the name of QQQModel '{names[settings.ArtifactName]}'; " +
                    "set a different ArtifactName on one of them"));
            if (problems.Count > 0 || settings is null)
            {
                int line = ProjectLocation.FindLine(projectFile, model.ItemSpec, File.ReadAllText);
                foreach (var problem in problems) ProjectLog.Error(Log, problem.Code, projectFile, line, problem.Message);
                continue;
            }
            resolved.Add(Describe(model, settings, projectFile, toolHash));
        }
        if (RequireTool && resolved.Count > 0 && !File.Exists(ToolPath))
            Log.LogError(null, ErrorCodes.ToolNotFound, null, null, 0, 0, 0, 0,
                $"the quantizer was not found at '{ToolPath}'; reinstall the QQQ.Build package or set QQQToolPath");
        ResolvedModels = [.. resolved];
        return !Log.HasLoggedErrors;
    }

    ITaskItem Describe(ITaskItem model, ModelSettings settings, string projectFile, string toolHash)
    {
        string artifact = Path.Combine(Path.GetFullPath(OutputPath), settings.ArtifactName + ".qqq");
        string stamp = artifact + ".options";
        var inputs = ModelFiles(settings.ModelPath)
            .Concat(settings.TokenizerPath is null ? [] : [settings.TokenizerPath])
            .Concat(settings.CalibrationFiles)
            .Append(stamp);

        var item = new TaskItem(artifact);
        void Set(string name, string value) => ((ITaskItem2)item).SetMetadataValueLiteral(name, value);
        Set("ModelItemSpec", model.ItemSpec);
        Set("ProjectFile", projectFile);
        Set("ArtifactName", settings.ArtifactName);
        Set("ManifestPath", artifact + ".json");
        Set("StampPath", stamp);
        Set("QQQClassName", settings.ClassName);
        Set("QQQNamespace", settings.Namespace);
        // Already escaped lists: MSBuild splits them back when a target expands them.
        item.SetMetadata("StampLines", MetadataList.Join(settings.StampLines(toolHash)));
        item.SetMetadata("Inputs", MetadataList.Join(inputs.Distinct(StringComparer.Ordinal)));
        item.SetMetadata("QuantizeArguments", MetadataList.Join(settings.QuantizeArguments(artifact)));
        return item;
    }

    /// <summary>A model file, or every file directly in a model folder (config, weights, tokenizer).</summary>
    static IEnumerable<string> ModelFiles(string modelPath) =>
        Directory.Exists(modelPath) ? Directory.GetFiles(modelPath).OrderBy(f => f, StringComparer.Ordinal) : [modelPath];
}
