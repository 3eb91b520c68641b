using QQQ.Build.Tasks;

namespace QQQ.Build.Tests;

public sealed class MetadataListTests
{
    [Fact]
    public void PartsAreJoinedBySeparatorsThatNoPartContains() =>
        Assert.Equal("a%3Bb;c d;50%25", MetadataList.Join(["a;b", "c d", "50%"]));

    [Theory]
    [InlineData("plain/path.bin", "plain/path.bin")]
    [InlineData("semi;colon", "semi%3Bcolon")]
    [InlineData("100%", "100%25")]
    [InlineData("$(Prop)@(Item)", "%24%28Prop%29%40%28Item%29")]
    [InlineData("'*?", "%27%2A%3F")]
    public void EscapeMatchesMSBuild(string value, string escaped) => Assert.Equal(escaped, MetadataList.Escape(value));
}
