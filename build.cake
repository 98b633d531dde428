// PowerSync for .NET build script. Run through the pinned local tool:
//   dotnet tool restore && dotnet cake --target=<Target>
// Targets: Build, Test (default), Demo, Interop, Chaos, Bench, Pack, SyncRulesFixtures, Edition3Fixtures.

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
// Arguments passed to the benchmark program, e.g. --bench-args="--filter *Lsn*" or
// --bench-args="scenario pgoutput-ceiling --rows 50000".
var benchArgs = Argument("bench-args", "--filter *");
// Demo: --interactive=true keeps the sample backend running at http://127.0.0.1:5080 after the script.
var interactive = Argument("interactive", false);
// Chaos: how many seeds (1..n, or a list such as "3,17"), seconds of writes and faults per seed, client processes.
var chaosSeeds = Argument("chaos-seeds", "5");
var chaosSeconds = Argument("chaos-seconds", 60);
var chaosClients = Argument("chaos-clients", 4);
// Pack: the repository the packages name (repository and project URL, SourceLink, README links), e.g.
// --repository-url=https://github.com/OWNER/REPO; empty: the RepositoryUrl environment variable, else the git remote
// 'origin', if any.
var repositoryUrl = Argument("repository-url", "");
// Edition3Fixtures: the scratch folder (outside the repository) where the official evaluator is installed.
var oracleDir = Argument("oracle-dir", System.IO.Path.Combine(System.IO.Path.GetTempPath(), "powersync-oracle-e3"));

var solution = File("./PowerSync.sln");
var artifacts = MakeAbsolute(Directory("./artifacts"));
var testResults = artifacts.Combine("test-results");
var packages = artifacts.Combine("packages");

Task("Clean")
    .Description("Deletes build outputs and artifacts.")
    .Does(() =>
{
    CleanDirectory(artifacts);
    DotNetClean(solution, new DotNetCleanSettings { Configuration = configuration });
});

Task("Restore")
    .Does(() => DotNetRestore(solution));

Task("Build")
    .Description("Builds every project (warnings are errors).")
    .IsDependentOn("Restore")
    .Does(() =>
{
    DotNetBuild(solution, new DotNetBuildSettings
    {
        Configuration = configuration,
        NoRestore = true,
        MSBuildSettings = PackageBuildSettings(),
    });
});

Task("Test")
    .Description("Runs every test; TRX results go to artifacts/test-results/.")
    .IsDependentOn("Build")
    .Does(() =>
{
    CleanDirectory(testResults);
    DotNetTest("./PowerSync.Tests/PowerSync.Tests.csproj", new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        NoRestore = true,
        ResultsDirectory = testResults,
        // One TRX per target framework (the client tests also run against the client's net8.0 and .NET Standard
        // 2.1 builds): PowerSync.Tests_<framework>_<time>.trx.
        Loggers = new[] { "trx;LogFilePrefix=PowerSync.Tests", "console;verbosity=normal" },
        // A hung test must not eat the CI budget: abort the run and report it.
        ArgumentCustomization = args => args
            .Append("--blame-hang-timeout").Append("10m")
            .Append("--blame-hang-dump-type").Append("none"),
    });
});

Task("Demo")
    .Description("Runs the demo: private Postgres, the sample backend embedding PowerSync, three clients, changes both ways, timings.")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetRun("./samples/Demo/Demo.csproj", new ProcessArgumentBuilder().Append(interactive ? "--interactive" : ""), new DotNetRunSettings
    {
        Configuration = configuration,
        NoRestore = true,
        NoBuild = true,
    });
});

Task("Interop")
    .Description("Runs the official @powersync/node client against the sample backend over HTTP NDJSON, HTTP BSON and WebSocket, uploads included (needs node and npm; not part of Test).")
    .IsDependentOn("Build")
    .Does(() =>
{
    var npm = StartProcess("npm", new ProcessSettings { Arguments = "ci --no-audit --no-fund", WorkingDirectory = "./interop" });
    if (npm != 0) throw new CakeException($"npm ci in interop/ failed with exit code {npm}.");
    DotNetTest("./PowerSync.Tests/PowerSync.Tests.csproj", new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        NoRestore = true,
        Filter = "TestCategory=Interop",
        Framework = "net10.0",
        ResultsDirectory = artifacts.Combine("interop-results"),
        Loggers = new[] { "trx;LogFileName=Interop.trx", "console;verbosity=normal" },
    });
});

Task("Edition3Fixtures")
    .Description("Regenerates PowerSync.Tests/SyncRules/Edition3/edition3.ndjson from the official evaluator (npm @powersync/service-sync-rules 0.38.1, installed in --oracle-dir outside the repository; needs node and npm; not part of Test).")
    .Does(() =>
{
    EnsureDirectoryExists(oracleDir);
    if (!FileExists(System.IO.Path.Combine(oracleDir, "package.json")))
    {
        System.IO.File.WriteAllText(System.IO.Path.Combine(oracleDir, "package.json"), "{\"name\":\"powersync-oracle-e3\",\"private\":true}");
    }

    var npm = StartProcess("npm", new ProcessSettings { Arguments = "install --no-audit --no-fund @powersync/service-sync-rules@0.38.1", WorkingDirectory = oracleDir });
    if (npm != 0) throw new CakeException($"npm install in {oracleDir} failed with exit code {npm}.");
    var node = StartProcess("node", new ProcessSettings
    {
        Arguments = "PowerSync.Tests/SyncRules/Edition3/generate.mjs",
        EnvironmentVariables = new Dictionary<string, string> { ["ORACLE_MODULES"] = System.IO.Path.Combine(oracleDir, "node_modules") },
    });
    if (node != 0) throw new CakeException($"generate.mjs failed with exit code {node}.");
});

Task("Chaos")
    .Description("Fault-injection suite (not part of Test): the sample backend, client processes and a Postgres-side writer under a seeded fault schedule; table in artifacts/chaos/.")
    .IsDependentOn("Build")
    .Does(() =>
{
    var chaos = artifacts.Combine("chaos");
    EnsureDirectoryExists(chaos);
    DotNetTest("./PowerSync.Tests/PowerSync.Tests.csproj", new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        NoRestore = true,
        Filter = "TestCategory=Chaos",
        Framework = "net10.0",
        ResultsDirectory = chaos,
        Loggers = new[] { "trx;LogFileName=Chaos.trx", "console;verbosity=normal" },
        EnvironmentVariables = new Dictionary<string, string>
        {
            ["POWERSYNC_CHAOS_SEEDS"] = chaosSeeds,
            ["POWERSYNC_CHAOS_SECONDS"] = chaosSeconds.ToString(),
            ["POWERSYNC_CHAOS_CLIENTS"] = chaosClients.ToString(),
            ["POWERSYNC_CHAOS_ARTIFACTS"] = chaos.FullPath,
        },
    });
});

Task("Bench")
    .Description("Runs PowerSync.Benchmarks in Release with --bench-args (BenchmarkDotNet arguments, or 'scenario <name> ...').")
    .IsDependentOn("Build")
    .Does(() =>
{
    DotNetRun("./PowerSync.Benchmarks/PowerSync.Benchmarks.csproj", new ProcessArgumentBuilder().Append(benchArgs), new DotNetRunSettings
    {
        Configuration = "Release",
        NoRestore = true,
    });
});

Task("SyncRulesFixtures")
    .Description("Regenerates the expected results of PowerSync.Tests/SyncRules/Fixtures/*.ndjson, SyncRules/Geometry/geometry.ndjson and SyncRules/DateText/date-text.ndjson with the official evaluator (needs node and npm; not part of Test).")
    .Does(() =>
{
    var generator = "./PowerSync.Tests/SyncRules/Fixtures/generator";
    var npm = StartProcess("npm", new ProcessSettings { Arguments = "ci --no-audit --no-fund", WorkingDirectory = generator });
    if (npm != 0) throw new CakeException($"npm ci in {generator} failed with exit code {npm}.");
    // The YAML anchors/aliases/tags corpus: yaml-cases.mjs writes its inputs, the generator fills in the official results.
    var yamlCases = StartProcess("node", new ProcessSettings { Arguments = "yaml-cases.mjs", WorkingDirectory = generator });
    if (yamlCases != 0) throw new CakeException($"yaml-cases.mjs failed with exit code {yamlCases}.");
    var node = StartProcess("node", new ProcessSettings { Arguments = "generate.mjs", WorkingDirectory = generator });
    if (node != 0) throw new CakeException($"The fixture generator failed with exit code {node}.");
    // The st_* corpus (SyncRules/Geometry): corpus.mjs writes its inputs, the generator fills in the official results.
    var geometry = "./PowerSync.Tests/SyncRules/Geometry";
    var corpus = StartProcess("node", new ProcessSettings { Arguments = "corpus.mjs", WorkingDirectory = geometry });
    if (corpus != 0) throw new CakeException($"The geometry corpus failed with exit code {corpus}.");
    var filled = StartProcess("node", new ProcessSettings { Arguments = "../Fixtures/generator/generate.mjs geometry.ndjson", WorkingDirectory = geometry });
    if (filled != 0) throw new CakeException($"The fixture generator failed on the geometry corpus with exit code {filled}.");
    // The date-text corpus (SyncRules/DateText), read by the official evaluator's `new Date` with local time UTC.
    var dateText = "./PowerSync.Tests/SyncRules/DateText";
    var dates = StartProcess("node", new ProcessSettings { Arguments = "corpus.mjs", WorkingDirectory = dateText });
    if (dates != 0) throw new CakeException($"The date-text corpus failed with exit code {dates}.");
    var read = StartProcess("node", new ProcessSettings
    {
        Arguments = "../Fixtures/generator/generate.mjs date-text.ndjson",
        WorkingDirectory = dateText,
        EnvironmentVariables = new Dictionary<string, string> { ["TZ"] = "UTC" },
    });
    if (read != 0) throw new CakeException($"The fixture generator failed on the date-text corpus with exit code {read}.");
});

Task("Pack")
    .Description("Packs PowerSync.Core and PowerSync.Client (package README, license, XML docs, embedded PDB with SourceLink) and the powersync tool (PowerSync.Tool) into artifacts/packages/; --repository-url=... names the repository.")
    .IsDependentOn("Build")
    .Does(() =>
{
    CleanDirectory(packages);
    var settings = PackageBuildSettings();
    // The packages' file times are the commit's (unless SOURCE_DATE_EPOCH says otherwise), so packing one
    // commit twice gives the same bytes.
    if (EnvironmentVariable("SOURCE_DATE_EPOCH") is null && CommitTime() is { } commitTime)
        settings.WithProperty("DeterministicTimestamp", commitTime);
    foreach (var project in new[] { "./PowerSync.Core/PowerSync.Core.csproj", "./PowerSync.Client/PowerSync.Client.csproj", "./samples/PowerSync.Tool/PowerSync.Tool.csproj" })
    {
        DotNetPack(project, new DotNetPackSettings
        {
            Configuration = configuration,
            NoRestore = true,
            NoBuild = true,
            OutputDirectory = packages,
            MSBuildSettings = settings,
        });
    }
});

// What a build that is packed needs: source paths mapped to /_/ (ContinuousIntegrationBuild, so the binaries do
// not depend on the folder they were built in) and the repository URL for SourceLink and the package metadata.
DotNetMSBuildSettings PackageBuildSettings()
{
    var settings = new DotNetMSBuildSettings();
    if (target == "Pack") settings.WithProperty("ContinuousIntegrationBuild", "true");
    if (repositoryUrl.Length > 0) settings.WithProperty("RepositoryUrl", repositoryUrl);
    return settings;
}

// The checked-out commit's time in seconds since 1970, or null outside a git checkout.
string CommitTime()
{
    var exitCode = StartProcess("git", new ProcessSettings { Arguments = "log -1 --format=%ct", RedirectStandardOutput = true, Silent = true }, out var lines);
    var time = lines.FirstOrDefault()?.Trim();
    return exitCode == 0 && !string.IsNullOrEmpty(time) ? time : null;
}

RunTarget(target);
