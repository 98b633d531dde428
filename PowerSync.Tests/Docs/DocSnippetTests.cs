using System.Text.RegularExpressions;
using NUnit.Framework;

namespace PowerSync.Tests.Docs;

/// <summary>
/// Keeps the documentation's C# honest: every <c>```csharp</c> block in <c>docs/*.md</c>, the root
/// README and the packages' READMEs (<c>PowerSync.Core/README.md</c>, <c>PowerSync.Client/README.md</c>) is preceded by <c>&lt;!-- snippet: name --&gt;</c> and is, character for character (after
/// removing common indentation), the region between <c>// docs:begin name</c> and <c>// docs:end</c>
/// in a compiled file under <c>PowerSync.Tests/Docs/</c>; or it is preceded by
/// <c>&lt;!-- program: name --&gt;</c>, a complete <c>Program.cs</c> that <see cref="GettingStartedPackageTests"/>
/// builds, as written, into a project of its own. So a documented example cannot stop compiling, and
/// an uncompiled one cannot slip in.
/// </summary>
public sealed partial class DocSnippetTests
{
    [GeneratedRegex(@"^[ \t]*```(?<lang>[A-Za-z#+-]*)[ \t]*\r?\n(?<body>.*?)^[ \t]*```[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"<!--\s*(?<kind>snippet|tested|program):\s*(?<name>[A-Za-z0-9_.-]+)\s*-->\s*$")]
    private static partial Regex SnippetMarker();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"^#{1,6}\s+(?<title>.+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\s*// docs:begin (?<name>[A-Za-z0-9_.-]+)\s*$")]
    private static partial Regex RegionBegin();

    [GeneratedRegex(@"^\s*// docs:end\s*$")]
    private static partial Regex RegionEnd();

    private static readonly string[] CSharpFences = ["csharp", "cs", "c#"];

    /// <summary>
    /// A fenced block of a markdown file and the marker right above it, if any: <c>snippet</c> for C#
    /// compiled under PowerSync.Tests/Docs, <c>program</c> for a complete C# program built as a project of
    /// its own, <c>tested</c> for other text (SQL, YAML, JSON) that a test uses verbatim.
    /// </summary>
    internal sealed record DocBlock(string File, int Line, string Language, string Body, string? MarkerKind, string? Name)
    {
        public string? Snippet => MarkerKind == "snippet" ? Name : null;
    }

    [Test]
    public void Every_csharp_block_in_the_docs_is_a_compiled_snippet()
    {
        var uncovered = DocBlocks()
            .Where(b => CSharpFences.Contains(b.Language, StringComparer.OrdinalIgnoreCase) && b.MarkerKind is not ("snippet" or "program"))
            .Select(b => $"{b.File}:{b.Line}")
            .ToList();
        Assert.That(uncovered, Is.Empty,
            "These C# blocks have no '<!-- snippet: name -->' line right above them; put the code in PowerSync.Tests/Docs/ between '// docs:begin name' and '// docs:end' " +
            "(or, for a complete Program.cs, mark it '<!-- program: name -->' and build it in GettingStartedPackageTests).");
    }

    [Test]
    public void Every_program_in_the_docs_is_built_by_the_package_test()
    {
        var programs = DocBlocks().Where(b => b.MarkerKind == "program").Select(b => $"{b.File}: {b.Name}").Order(StringComparer.Ordinal).ToList();
        var built = GettingStartedPackageTests.Programs.Select(p => $"{Path.Combine("docs", "getting-started.md")}: {p}").Order(StringComparer.Ordinal).ToList();
        Assert.That(programs, Is.EqualTo(built), "each '<!-- program: name -->' block is built and run by GettingStartedPackageTests, and each program it builds is in the docs");
        Assert.That(DocBlocks().Where(b => b.MarkerKind == "program" && !CSharpFences.Contains(b.Language, StringComparer.OrdinalIgnoreCase)), Is.Empty, "programs are C#");
    }

    [Test]
    public void Every_snippet_in_the_docs_equals_its_compiled_region()
    {
        var regions = SourceRegions();
        var blocks = DocBlocks().Where(b => b.Snippet is not null).ToList();
        Assert.That(blocks, Is.Not.Empty, "the docs have snippets");
        Assert.Multiple(() =>
        {
            foreach (var block in blocks)
            {
                if (!CSharpFences.Contains(block.Language, StringComparer.OrdinalIgnoreCase))
                    Assert.Fail($"{block.File}:{block.Line}: snippet '{block.Snippet}' marks a '{block.Language}' block; snippets are C# (use '<!-- tested: name -->' for SQL or YAML).");
                if (!regions.TryGetValue(block.Snippet!, out var region))
                {
                    Assert.Fail($"{block.File}:{block.Line}: snippet '{block.Snippet}' has no '// docs:begin {block.Snippet}' region in PowerSync.Tests/Docs/.");
                    continue;
                }
                Assert.That(Normalize(block.Body), Is.EqualTo(region),
                    $"{block.File}:{block.Line}: snippet '{block.Snippet}' differs from its region in PowerSync.Tests/Docs/; copy the compiled code into the doc.");
            }
        });
    }

    [Test]
    public void Every_compiled_region_is_shown_in_the_docs()
    {
        var shown = DocBlocks().Select(b => b.Snippet).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var unused = SourceRegions().Keys.Where(name => !shown.Contains(name)).Order(StringComparer.Ordinal).ToList();
        Assert.That(unused, Is.Empty, "These '// docs:begin' regions are not used by any '<!-- snippet: name -->' in the docs (a renamed or removed example?).");
    }

    [Test]
    public void Every_relative_link_in_the_docs_points_to_an_existing_file_and_heading()
    {
        var root = RepositoryRoot();
        var broken = new List<string>();
        foreach (var file in DocFiles(root))
        {
            var text = File.ReadAllText(file);
            foreach (Match link in MarkdownLink().Matches(text))
            {
                var target = link.Groups["target"].Value;
                if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
                var hash = target.IndexOf('#', StringComparison.Ordinal);
                var path = hash < 0 ? target : target[..hash];
                var resolved = path.Length == 0 ? file : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, path));
                if (!File.Exists(resolved) && !Directory.Exists(resolved))
                    broken.Add($"{Path.GetRelativePath(root, file)}: {target} (no such file)");
                else if (hash >= 0 && !Anchors(File.ReadAllText(resolved)).Contains(target[(hash + 1)..]))
                    broken.Add($"{Path.GetRelativePath(root, file)}: {target} (no such heading)");
            }
        }
        Assert.That(broken, Is.Empty);
    }

    /// <summary>GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens.</summary>
    private static HashSet<string> Anchors(string markdown) =>
        Heading().Matches(markdown)
            .Select(m => new string(m.Groups["title"].Value.ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_').ToArray()).Replace(' ', '-'))
            .ToHashSet(StringComparer.Ordinal);

    [Test]
    public void Common_indentation_is_removed_and_blank_edges_are_trimmed()
    {
        Assert.That(Normalize("\n        if (x)\n            y();\n\n        z();\n   \n"), Is.EqualTo("if (x)\n    y();\n\nz();"));
        Assert.That(Normalize("\ta\r\n\t\tb"), Is.EqualTo("a\n\tb"));
    }

    [Test]
    public void A_marker_applies_only_to_the_block_right_below_it()
    {
        var blocks = Parse("x.md", "<!-- snippet: one -->\n```csharp\nA();\n```\n\ntext\n\n```csharp\nB();\n```\n<!-- tested: two -->\n\n```sql\nSELECT 1;\n```\n");
        Assert.That(blocks.Select(b => (b.Language, b.Body.Trim(), b.MarkerKind, b.Name)), Is.EqualTo(new[]
        {
            ("csharp", "A();", (string?)"snippet", (string?)"one"),
            ("csharp", "B();", null, null),
            ("sql", "SELECT 1;", "tested", "two"),
        }));
    }

    /// <summary>The repository root (the folder with PowerSync.sln), found above the test binaries.</summary>
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PowerSync.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("PowerSync.sln not found above the test directory.");
    }

    /// <summary>docs/*.md, the root README and the READMEs packed into the two packages.</summary>
    private static IEnumerable<string> DocFiles(string root) =>
        Directory.GetFiles(Path.Combine(root, "docs"), "*.md")
            .Concat(new[] { "README.md", "PowerSync.Core/README.md", "PowerSync.Client/README.md" }.Select(f => Path.Combine(root, f)))
            .Order(StringComparer.Ordinal);

    /// <summary>Every fenced block of the documentation files.</summary>
    internal static List<DocBlock> DocBlocks()
    {
        var root = RepositoryRoot();
        return DocFiles(root).SelectMany(f => Parse(Path.GetRelativePath(root, f), File.ReadAllText(f))).ToList();
    }

    /// <summary>The block marked <c>&lt;!-- tested: name --&gt;</c> in <c>docs/<paramref name="docFile"/></c>.</summary>
    internal static string DocTestedBlock(string docFile, string name) => MarkedBlock(docFile, "tested", name);

    /// <summary>The block marked <c>&lt;!-- tested: name --&gt;</c> in the repository README.</summary>
    internal static string ReadmeTestedBlock(string name) =>
        DocBlocks().SingleOrDefault(b => b.File == "README.md" && b.MarkerKind == "tested" && b.Name == name)?.Body
            ?? throw new InvalidOperationException($"README.md has no block marked '<!-- tested: {name} -->'.");

    /// <summary>The block marked <c>&lt;!-- <paramref name="kind"/>: <paramref name="name"/> --&gt;</c> in <c>docs/<paramref name="docFile"/></c>.</summary>
    internal static string MarkedBlock(string docFile, string kind, string name) =>
        DocBlocks().SingleOrDefault(b => b.File == Path.Combine("docs", docFile) && b.MarkerKind == kind && b.Name == name)?.Body
            ?? throw new InvalidOperationException($"docs/{docFile} has no block marked '<!-- {kind}: {name} -->'.");

    internal static List<DocBlock> Parse(string file, string markdown)
    {
        var text = markdown.Replace("\r\n", "\n", StringComparison.Ordinal);
        var blocks = new List<DocBlock>();
        foreach (Match m in FencedBlock().Matches(text))
        {
            var line = text.AsSpan(0, m.Index).Count('\n') + 1;
            // The marker is the last non-blank line above the fence.
            var above = text[..m.Index].TrimEnd('\n', ' ', '\t');
            var lastLine = above[(above.LastIndexOf('\n') + 1)..];
            var marker = SnippetMarker().Match(lastLine);
            blocks.Add(new DocBlock(file, line, m.Groups["lang"].Value, m.Groups["body"].Value,
                marker.Success ? marker.Groups["kind"].Value : null, marker.Success ? marker.Groups["name"].Value : null));
        }
        return blocks;
    }

    /// <summary>Every <c>// docs:begin</c> region under PowerSync.Tests/Docs, normalized, by name.</summary>
    internal static Dictionary<string, string> SourceRegions()
    {
        var folder = Path.Combine(RepositoryRoot(), "PowerSync.Tests", "Docs");
        var regions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var begin = RegionBegin().Match(lines[i]);
                if (!begin.Success) continue;
                var name = begin.Groups["name"].Value;
                var end = Array.FindIndex(lines, i + 1, l => RegionEnd().IsMatch(l));
                if (end < 0) throw new InvalidOperationException($"{file}:{i + 1}: '// docs:begin {name}' has no '// docs:end'.");
                if (!regions.TryAdd(name, Normalize(string.Join('\n', lines[(i + 1)..end]))))
                    throw new InvalidOperationException($"{file}:{i + 1}: region '{name}' is defined twice.");
                i = end;
            }
        }
        return regions;
    }

    /// <summary>Unix line ends, no trailing spaces, blank first and last lines dropped, common indentation removed.</summary>
    internal static string Normalize(string code)
    {
        var lines = code.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[0].Length == 0) lines.RemoveAt(0);
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        var indent = lines.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join('\n', lines.Select(l => l.Length == 0 ? l : l[indent..]));
    }
}
