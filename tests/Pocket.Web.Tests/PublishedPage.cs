using System.Reflection;
using Pocket.Web.Serve;

namespace Pocket.Web.Tests;

/// <summary>
/// The page as the test build published it (bin/…/web/wwwroot, see the .csproj), served on 127.0.0.1 once for all the
/// browser tests of a run.
/// </summary>
public sealed class PublishedPage : IDisposable
{
    public PublishedPage()
    {
        Site = Path.Combine(AppContext.BaseDirectory, "web", "wwwroot");
        Assert.True(File.Exists(Path.Combine(Site, "index.html")), $"{Site}: the test build did not publish the page");
        Server = new StaticSiteServer(Site);
    }

    public string Site { get; }
    public StaticSiteServer Server { get; }

    public string ShippedModel(string file) => Path.Combine(Site, "models", file);

    public static string RepoRoot { get; } = typeof(PublishedPage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "PocketRepoRoot").Value!;

    public void Dispose() => Server.Dispose();
}

[CollectionDefinition(Name)]
public sealed class PublishedPageCollection : ICollectionFixture<PublishedPage>
{
    public const string Name = "Published page";
}
