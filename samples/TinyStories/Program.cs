using QQQ.Runtime;
using TinyStories;

// Prints a story from the model that the build quantized (see TinyStories.csproj): greedy decoding from
// the start of a text, so every run prints the same story.
//   dotnet run --project samples/TinyStories [-- [--max-tokens N] [prompt]]
int maxTokens = 60;
var prompt = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--max-tokens" && i + 1 < args.Length && int.TryParse(args[i + 1], out maxTokens) && maxTokens > 0) i++;
    else if (args[i] == "--max-tokens") return Fail("--max-tokens needs a positive integer");
    else prompt.Add(args[i]);
}

using var model = Stories260K.Load();
var settings = new GenerationSettings { MaxTokens = maxTokens };
var text = string.Join(' ', prompt);
Console.Write(text);
foreach (var piece in model.Generate(text, settings))
    Console.Write(piece);
Console.WriteLine();
return 0;

static int Fail(string message)
{
    Console.Error.WriteLine("TinyStories: " + message);
    return 2;
}
