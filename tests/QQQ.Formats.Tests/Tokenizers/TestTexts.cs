using System.Text;
using System.Text.Json;
using QQQ.TestSupport;

namespace QQQ.Formats.Tests.Tokenizers;

/// <summary>Shared reference texts and reference.json files, read the way the references were computed.</summary>
internal static class TestTexts
{
    /// <summary>A shared text file read as UTF-8 with CRLF turned into LF.</summary>
    public static string Read(string name) =>
        File.ReadAllText(SharedData.Text(name), Encoding.UTF8).Replace("\r\n", "\n");

    /// <summary>Multi-byte characters that small vocabularies only reach through byte fallback.</summary>
    public const string MultiByte = "naïve café — 東京 🙂 Ωmega";

    public static JsonElement ReferenceJson(string modelFolder) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(modelFolder, "reference.json"))).RootElement;

    public static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
