using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Npgsql;
using NUnit.Framework;
using PowerSync.Tests.Infrastructure;

namespace PowerSync.Tests.Docs;

/// <summary>
/// docs/getting-started.md followed as a new user follows it, with nothing but what the page shows:
/// PowerSync.Core and PowerSync.Client packed into a local package folder, the page's <c>nuget.config</c>
/// pointing at it, the page's two <c>Program.cs</c> blocks (taken from the markdown) built into new projects
/// against those packages, its SQL on a fresh database, and then the app and the client run as processes.
/// </summary>
public sealed partial class GettingStartedPackageTests
{
    /// <summary>The <c>&lt;!-- program: name --&gt;</c> blocks of docs/getting-started.md, all built here.</summary>
    internal static readonly string[] Programs = ["getting-started-app", "getting-started-client"];

    private const string Guide = "getting-started.md";
    private const string PackagesPlaceholder = "/path/to/powersync-dotnet/artifacts/packages";

    [GeneratedRegex(@"Now listening on: (?<url>http://\S+)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"dotnet add package (?<id>PowerSync\.\w+) --version (?<version>\S+)")]
    private static partial Regex AddPackage();

    [GeneratedRegex(@"CREATE ROLE (?<role>\w+) WITH [^;]*PASSWORD '(?<password>[^']*)'")]
    private static partial Regex CreateRole();

    [GeneratedRegex(@"^\s*\d+>?\s*|\s*\[[^\]]*\.csproj\]$")]
    private static partial Regex BuildLineDecoration();

    [Test]
    public async Task The_guide_s_app_and_client_build_from_the_packed_packages_then_sync_the_user_s_rows_and_upload_a_write()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        var ct = timeout.Token;
        var clock = Stopwatch.StartNew();
        using var temp = new TempFolder("powersync-guide-");
        var root = DocSnippetTests.RepositoryRoot();
        var version = PackedVersion(root);

        // What the page tells the user to run and write.
        var adds = AddPackage().Matches(DocSnippetTests.DocTestedBlock(Guide, "getting-started-add-packages"));
        Assert.That(adds.Select(m => (m.Groups["id"].Value, m.Groups["version"].Value)),
            Is.EquivalentTo(new[] { ("PowerSync.Core", version), ("PowerSync.Client", version) }), "the page adds both packages at the version Pack produces");
        var nugetConfig = DocSnippetTests.DocTestedBlock(Guide, "getting-started-nuget-config");
        Assert.That(nugetConfig, Does.Contain(PackagesPlaceholder));

        // A version of this run's own: NuGet caches a package by version, so a fixed one could be an older build.
        var testVersion = $"{version}-guide-{Guid.NewGuid():N}";
        var packages = Path.Combine(temp.Path, "packages");
        var database = SetUpDatabaseAsync(ct);   // meanwhile
        try
        {
            await RunGuideAsync(root, temp.Path, testVersion, packages, nugetConfig, database, clock, ct);
        }
        finally
        {
            await DisposeWhenReadyAsync(database);
        }
    }

    private static async Task RunGuideAsync(string root, string folder, string testVersion, string packages, string nugetConfig, Task<GuideDatabase> database, Stopwatch clock, CancellationToken ct)
    {
        await Task.WhenAll(
            PackAsync(root, "PowerSync.Core", packages, testVersion, folder, ct),
            PackAsync(root, "PowerSync.Client", packages, testVersion, folder, ct));
        var packed = clock.Elapsed;

        await File.WriteAllTextAsync(Path.Combine(folder, "nuget.config"), nugetConfig.Replace(PackagesPlaceholder, packages, StringComparison.Ordinal), ct);
        var app = Directory.CreateDirectory(Path.Combine(folder, "TodoApp")).FullName;
        var client = Directory.CreateDirectory(Path.Combine(folder, "TodoClient")).FullName;
        // The projects `dotnet new web` / `dotnet new console` make, with the reference `dotnet add package` adds.
        await File.WriteAllTextAsync(Path.Combine(app, "TodoApp.csproj"), Project("Microsoft.NET.Sdk.Web", "PowerSync.Core", testVersion), ct);
        await File.WriteAllTextAsync(Path.Combine(client, "TodoClient.csproj"), Project("Microsoft.NET.Sdk", "PowerSync.Client", testVersion), ct);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), DocSnippetTests.MarkedBlock(Guide, "program", "getting-started-app"), ct);
        await File.WriteAllTextAsync(Path.Combine(client, "Program.cs"), DocSnippetTests.MarkedBlock(Guide, "program", "getting-started-client"), ct);
        await File.WriteAllTextAsync(Path.Combine(app, "sync-rules.yaml"), DocSnippetTests.DocTestedBlock(Guide, "getting-started-sync-rules"), ct);
        await File.WriteAllTextAsync(Path.Combine(app, "appsettings.json"), DocSnippetTests.DocTestedBlock(Guide, "getting-started-appsettings"), ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "guide.slnx"),
            "<Solution>\n  <Project Path=\"TodoApp/TodoApp.csproj\" />\n  <Project Path=\"TodoClient/TodoClient.csproj\" />\n</Solution>\n", ct);

        var build = await BuildAsync(folder, ct);
        var built = clock.Elapsed;
        Assert.That(build, Does.Not.Match(@"warning CS\d+"), "the page's programs compile without warnings");
        var db = await database;
        // The app as `dotnet run` starts it (Development), on a port of its choosing, with the roles the page creates.
        await using var server = ChildProcess.Start(ChildProcess.DotnetHost, [Path.Combine(app, "bin", "Debug", "net10.0", "TodoApp.dll")], app,
            new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                ["ConnectionStrings__PowerSync"] = db.ConnectionString("PowerSync"),
                ["ConnectionStrings__App"] = db.ConnectionString("App"),
            });
        try
        {
            var address = (await server.WaitForLineAsync(Listening(), TimeSpan.FromSeconds(60), ct)).Groups["url"].Value;

            await using var alice = ChildProcess.Start(ChildProcess.DotnetHost, [Path.Combine(client, "bin", "Debug", "net10.0", "TodoClient.dll"), address, "alice"], client);
            var exitCode = await alice.WaitForExitAsync(TimeSpan.FromSeconds(90), ct);
            var ran = clock.Elapsed;
            Assert.That(exitCode, Is.Zero, $"the client failed:\n{alice.Output}");
            Assert.That(Lines(alice.Output), Is.EqualTo(Lines(DocSnippetTests.DocTestedBlock(Guide, "getting-started-client-output"))),
                "the client prints alice's todos, not bob's, and its write, as the page shows");
            Assert.That(await db.Source.ScalarAsync<long>("SELECT count(*) FROM todos WHERE list_id = 'groceries' AND description = 'Eggs'", ct), Is.EqualTo(1),
                "the client's write reached Postgres through the upload endpoint");
            Assert.That(await db.Source.ScalarAsync<bool>($"SELECT has_table_privilege('{db.Roles["powersync_role"]}', 'todos', 'INSERT')", ct), Is.False,
                "PowerSync's role cannot have written it: the app's role did");

            // /health with the JSON writer: the fields the page shows.
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            JsonElement health = default;
            await Eventually.HoldsAsync(async () => health = ParseJson(await http.GetStringAsync("/health", ct)),
                h => h.GetProperty("status").GetString() == "Healthy", TimeSpan.FromSeconds(30), "the app reports Healthy");
            var documented = ParseJson(DocSnippetTests.DocTestedBlock(Guide, "getting-started-health"));
            Assert.That(Keys(health.GetProperty("checks").GetProperty("powersync").GetProperty("data")),
                Is.EqualTo(Keys(documented.GetProperty("checks").GetProperty("powersync").GetProperty("data"))));
            Assert.That(Keys(health.GetProperty("checks").GetProperty("powersync")), Is.EqualTo(Keys(documented.GetProperty("checks").GetProperty("powersync"))));

            TestContext.Progress.WriteLine(
                $"Guide: packed in {packed.TotalSeconds:0.0} s, built the two projects in {(built - packed).TotalSeconds:0.0} s, " +
                $"app and client ran in {(ran - built).TotalSeconds:0.0} s; {clock.Elapsed.TotalSeconds:0.0} s in all.");
        }
        catch (Exception) when (Report(server))
        {
            throw;
        }
}

    private static async Task DisposeWhenReadyAsync(Task<GuideDatabase> database)
    {
        GuideDatabase db;
        try
        {
            db = await database;
        }
        catch (Exception)
        {
            return;   // it failed, and cleaned up after itself
        }
        await db.DisposeAsync();
    }

    /// <summary>Shows the app's output when the test fails (then returns false, so the exception goes on).</summary>
    private static bool Report(ChildProcess server)
    {
        TestContext.Out.WriteLine("The app's output:\n" + server.Output);
        return false;
    }

    /// <summary>The version <c>dotnet cake --target=Pack</c> produces: <c>&lt;Version&gt;</c> in Directory.Build.props.</summary>
    private static string PackedVersion(string root) =>
        XDocument.Load(Path.Combine(root, "Directory.Build.props")).Descendants("Version").Single().Value;

    private static string Project(string sdk, string package, string version) => $"""
        <Project Sdk="{sdk}">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="{package}" Version="{version}" />
          </ItemGroup>
        </Project>
        """;

    /// <summary><c>dotnet pack --no-build</c> of the project as this test run built it (CI builds Release before testing).</summary>
    private static async Task PackAsync(string root, string project, string output, string version, string temp, CancellationToken ct)
    {
        var configuration = typeof(GettingStartedPackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        await using var pack = ChildProcess.Start(ChildProcess.DotnetHost,
        [
            "pack", Path.Combine(root, project, project + ".csproj"), "--no-build", "-c", configuration, "-o", output,
            "-p:Version=" + version, "-p:NuspecOutputPath=" + Path.Combine(temp, "nuspec", project), "-nodeReuse:false",
        ], root);
        var exitCode = await pack.WaitForExitAsync(TimeSpan.FromSeconds(120), ct);
        Assert.That(exitCode, Is.Zero, $"dotnet pack {project} failed:\n{pack.Output}");
    }

    /// <summary>
    /// <c>dotnet build</c> of both projects. Restore reads the page's nuget.config (merged, as for any user, with the
    /// machine's own sources) and extracts into a package folder of its own, so nothing of this run stays in the
    /// user's NuGet cache; the packages already in that cache are used from there. Returns the build output.
    /// </summary>
    private static async Task<string> BuildAsync(string folder, CancellationToken ct)
    {
        var userPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        List<string> args = ["build", "guide.slnx", "--disable-build-servers", "-nodeReuse:false"];
        if (Directory.Exists(userPackages)) args.Add("-p:RestoreFallbackFolders=" + userPackages);
        await using var build = ChildProcess.Start(ChildProcess.DotnetHost, args, folder,
            new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(folder, "nuget-packages"), ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0" });
        var exitCode = await build.WaitForExitAsync(TimeSpan.FromMinutes(3), ct);
        var errors = Lines(build.Output).Where(l => l.Contains(": error ", StringComparison.Ordinal)).Select(l => BuildLineDecoration().Replace(l, "")).Distinct();
        Assert.That(exitCode, Is.Zero, $"The page's programs do not build:\n{string.Join('\n', errors)}\n\nThe whole output:\n{build.Output}");
        return build.Output;
    }

    private static async Task<GuideDatabase> SetUpDatabaseAsync(CancellationToken ct)
    {
        var db = await TestPostgres.CreateDatabaseAsync();
        // Role names are cluster-wide: this run's own, in place of the page's.
        var suffix = "_" + Guid.NewGuid().ToString("N")[..8];
        var guide = new GuideDatabase(db);
        try
        {
            await db.ExecuteAsync(DocSnippetTests.DocTestedBlock(Guide, "getting-started-tables"), ct);
            foreach (var block in new[] { "getting-started-replication", "getting-started-app-role" })
            {
                var sql = DocSnippetTests.DocTestedBlock(Guide, block);
                foreach (Match role in CreateRole().Matches(sql))
                {
                    guide.Roles[role.Groups["role"].Value] = role.Groups["role"].Value + suffix;
                    guide.Passwords[role.Groups["role"].Value] = role.Groups["password"].Value;
                }
                foreach (var (name, unique) in guide.Roles) sql = Regex.Replace(sql, $@"\b{name}\b", unique);
                await db.ExecuteAsync(sql, ct);
            }
            Assert.That(guide.Roles.Keys, Is.EquivalentTo(new[] { "powersync_role", "app_writer" }));
            return guide;
        }
        catch
        {
            await guide.DisposeAsync();
            throw;
        }
    }

    /// <summary>The database the page's SQL set up, with this run's role names; drops both on dispose.</summary>
    private sealed class GuideDatabase(Infrastructure.Postgres.TestDatabase source) : IAsyncDisposable
    {
        public Infrastructure.Postgres.TestDatabase Source { get; } = source;

        /// <summary>The page's role name → this run's.</summary>
        public Dictionary<string, string> Roles { get; } = [];

        public Dictionary<string, string> Passwords { get; } = [];

        /// <summary>The connection string of appsettings.json's <paramref name="name"/>, for this database and this run's role.</summary>
        public string ConnectionString(string name)
        {
            var role = name == "PowerSync" ? "powersync_role" : "app_writer";
            return new NpgsqlConnectionStringBuilder(Source.ConnectionString) { Username = Roles[role], Password = Passwords[role] }.ConnectionString;
        }

        public async ValueTask DisposeAsync()
        {
            await Source.DisposeAsync();
            await using var admin = new NpgsqlConnection((await TestPostgres.ServerAsync()).AdminConnectionString);
            await admin.OpenAsync(CancellationToken.None);
            foreach (var role in Roles.Values)
            {
                await using var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS {role}", admin);
                await drop.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
    }

    private static List<string> Lines(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();

    private static JsonElement ParseJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static List<string> Keys(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
}
