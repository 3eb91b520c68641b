using QQQ.Generators.Naming;

namespace QQQ.Generators.Tests;

/// <summary>Class and namespace names derived from model names and metadata.</summary>
public sealed class IdentifiersTests
{
    [Theory]
    [InlineData("stories260K", "Stories260K")]
    [InlineData("llama-sotu-26m", "LlamaSotu26m")]
    [InlineData("TinyLlama-1.1B-Chat-v1.0", "TinyLlama11BChatV10")]
    [InlineData("qwen2_0.5b instruct", "Qwen205bInstruct")]
    [InlineData("modèle", "Modèle")]
    [InlineData("--", "")]
    public void ToPascalCase(string name, string expected) => Assert.Equal(expected, Identifiers.ToPascalCase(name));

    [Theory]
    [InlineData("Stories260K", "Stories260K")]
    [InlineData("_private", "_private")]
    [InlineData("Modèle", "Modèle")]
    [InlineData("my model", "my_model")]
    [InlineData("7B", "_7B")]
    [InlineData("", Identifiers.FallbackClassName)]
    [InlineData("class", "Class")]
    [InlineData("record", "Record")]
    [InlineData("var", "Var")]
    [InlineData("__arglist", "___arglist")]
    [InlineData("model", "ModelModel")]
    [InlineData("Load", "LoadModel")]
    [InlineData("GenerateAsync", "GenerateAsyncModel")]
    public void FixClassName(string name, string expected)
    {
        var fix = Identifiers.FixClassName(name);

        Assert.Equal(expected, fix.Name);
        Assert.Equal(name == expected, fix.Problem is null);
    }

    [Theory]
    [InlineData("Sample", "Sample")]
    [InlineData("Company.Product.Models", "Company.Product.Models")]
    [InlineData("lowercase.names.fine", "lowercase.names.fine")]
    [InlineData("App.is", "App._is")]
    [InlineData("My-App", "My_App")]
    [InlineData("App.2024", "App._2024")]
    [InlineData("App..Models.", "App.Models")]
    [InlineData("App.class", "App._class")]
    [InlineData("global.App", "global.App")]
    public void FixNamespace(string name, string expected)
    {
        var fix = Identifiers.FixNamespace(name);

        Assert.Equal(expected, fix.Name);
        Assert.Equal(name == expected, fix.Problem is null);
    }
}
