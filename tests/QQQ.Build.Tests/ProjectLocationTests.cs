using QQQ.Build.Tasks;

namespace QQQ.Build.Tests;

public sealed class ProjectLocationTests
{
    const string Project = """
        <Project Sdk="Microsoft.NET.Sdk">
          <ItemGroup>
            <QQQModel Include="models/a.bin" CalibrationText="a.txt" />
            <QQQModel
                Include='models\b.bin'
                Granularity="PerGroup" />
            <QQQModel Update="models/a.bin" Seed="1" />
          </ItemGroup>
        </Project>
        """;

    [Theory]
    [InlineData("models/a.bin", 3)]
    [InlineData("models/b.bin", 4)] // single quotes, other slashes, element over several lines: the line of its start
    [InlineData("models/c.bin", 0)] // two candidates and no match: cannot tell
    public void FindsTheElementWhoseIncludeIsTheItem(string itemSpec, int line) =>
        Assert.Equal(line, ProjectLocation.FindLine(Project, itemSpec));

    [Fact]
    public void TheOnlyElementIsTheItemWhateverItsText() =>
        Assert.Equal(2, ProjectLocation.FindLine("<Project>\n  <ItemGroup><QQQModel Include=\"$(Models)/a.bin\" /></ItemGroup>\n</Project>", "/m/a.bin"));

    [Fact]
    public void AnUnreadableProjectIsLineZero() =>
        Assert.Equal(0, ProjectLocation.FindLine("/nowhere/App.csproj", "a.bin", path => throw new FileNotFoundException(path)));
}
