using System.Text;
using NUnit.Framework;

namespace PowerSync.Tests.Docs;

/// <summary>
/// A part of a docs page that must equal what the code says (a catalog's table): it sits between
/// <c>&lt;!-- name --&gt;</c> and <c>&lt;!-- /name --&gt;</c> lines, and a failing test prints what it must be.
/// </summary>
internal static class GeneratedSection
{
    /// <summary>The text between the markers <paramref name="name"/> in the page at <paramref name="path"/> (relative to the repository root).</summary>
    public static string Read(string path, string name)
    {
        var page = File.ReadAllText(Path.Combine(DocSnippetTests.RepositoryRoot(), path)).ReplaceLineEndings("\n");
        var begin = $"<!-- {name} -->\n";
        var end = $"<!-- /{name} -->";
        var start = page.IndexOf(begin, StringComparison.Ordinal);
        var stop = page.IndexOf(end, StringComparison.Ordinal);
        Assert.That(start >= 0 && stop > start, $"{path} has a '{begin.Trim()}' ... '{end}' section");
        return page[(start + begin.Length)..stop];
    }

    /// <summary>A markdown table; cells are escaped (<c>|</c>, <c>&lt;</c>) so that they read the same rendered.</summary>
    public static string Table(string[] header, IEnumerable<string[]> rows)
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", header).Append(" |\n");
        text.Append('|').AppendJoin('|', header.Select(_ => "---")).Append("|\n");
        foreach (var row in rows) text.Append("| ").AppendJoin(" | ", row.Select(Escape)).Append(" |\n");
        return text.ToString();
    }

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
}
