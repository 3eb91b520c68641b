using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace QQQ.Generators.Naming;

/// <summary>Derives and repairs the C# names of generated model classes and their namespaces.</summary>
internal static class Identifiers
{
    /// <summary>Used when a name has nothing usable in it.</summary>
    public const string FallbackClassName = "LanguageModel";

    /// <summary>Names of the generated members; a class cannot share its name with one of them.</summary>
    public static readonly IReadOnlyCollection<string> MemberNames = new HashSet<string>(System.StringComparer.Ordinal)
    {
        "ModelName", "ArtifactFileName", "HiddenSize", "IntermediateSize", "LayerCount", "HeadCount",
        "KeyValueHeadCount", "VocabSize", "ContextLength", "Granularity", "GroupSize", "Load", "Generate",
        "GenerateAsync", "Forward", "Tokenizer", "Model", "Dispose",
    };

    /// <summary>
    /// Model name to PascalCase: split at every character that is not a letter or digit, upper-case the
    /// first character of each part ("llama-sotu-26m" becomes "LlamaSotu26m", "stories260K" "Stories260K").
    /// </summary>
    public static string ToPascalCase(string name)
    {
        var result = new StringBuilder(name.Length);
        var startOfPart = true;
        foreach (var c in name)
        {
            if (!char.IsLetterOrDigit(c))
            {
                startOfPart = true;
                continue;
            }
            result.Append(startOfPart ? char.ToUpperInvariant(c) : c);
            startOfPart = false;
        }
        return result.ToString();
    }

    /// <summary>Makes <paramref name="name"/> a valid, unsurprising class name for a model.</summary>
    public static NameFix FixClassName(string name)
    {
        var problems = new List<string>();
        var fixedName = ReplaceInvalidCharacters(name, problems);
        if (fixedName.Length == 0)
        {
            problems.Add("is empty");
            fixedName = FallbackClassName;
        }
        fixedName = FixStart(fixedName, problems);
        var isKeyword = SyntaxFacts.GetKeywordKind(fixedName) != SyntaxKind.None;
        if (isKeyword || IsLowerCaseAscii(fixedName))
        {
            problems.Add(isKeyword ? "is a C# keyword" : "is all lower-case letters, which C# reserves for keywords");
            fixedName = char.IsLower(fixedName[0]) ? char.ToUpperInvariant(fixedName[0]) + fixedName.Substring(1) : "_" + fixedName;
        }
        if (MemberNames.Contains(fixedName))
        {
            problems.Add("is the name of a generated member");
            fixedName += "Model";
        }
        return new NameFix(fixedName, problems.Count == 0 ? null : string.Join(" and ", problems));
    }

    /// <summary>Makes each dot-separated part of <paramref name="name"/> a valid identifier; drops empty parts.</summary>
    public static NameFix FixNamespace(string name)
    {
        var problems = new List<string>();
        var parts = new List<string>();
        foreach (var part in name.Split('.'))
        {
            if (part.Length == 0)
            {
                AddOnce(problems, "has an empty part");
                continue;
            }
            var fixedPart = FixStart(ReplaceInvalidCharacters(part, problems), problems);
            if (SyntaxFacts.GetKeywordKind(fixedPart) != SyntaxKind.None)
            {
                AddOnce(problems, "contains a C# keyword");
                fixedPart = "_" + fixedPart;
            }
            parts.Add(fixedPart);
        }
        return new NameFix(string.Join(".", parts), problems.Count == 0 ? null : string.Join(" and ", problems));
    }

    private static string ReplaceInvalidCharacters(string name, List<string> problems)
    {
        if (name.All(SyntaxFacts.IsIdentifierPartCharacter)) return name;
        AddOnce(problems, "contains characters that are not allowed in a C# identifier");
        return new string(name.Select(c => SyntaxFacts.IsIdentifierPartCharacter(c) ? c : '_').ToArray());
    }

    private static string FixStart(string name, List<string> problems)
    {
        if (SyntaxFacts.IsIdentifierStartCharacter(name[0])) return name;
        AddOnce(problems, "does not start with a letter or '_'");
        return "_" + name;
    }

    private static bool IsLowerCaseAscii(string name) => name.All(c => c is >= 'a' and <= 'z');

    private static void AddOnce(List<string> problems, string problem)
    {
        if (!problems.Contains(problem)) problems.Add(problem);
    }
}
