using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PowerSync.Benchmarks.Scenarios;

/// <summary>The figures of one scenario run, in the order they were added.</summary>
public sealed class ScenarioReport
{
    private readonly List<(string Key, object Value, string Unit)> _figures = [];

    public IReadOnlyList<(string Key, object Value, string Unit)> Figures => _figures;

    /// <summary>Adds a number. Keys are snake_case and unique; the unit is shown in the table only.</summary>
    public void Add(string key, double value, string unit = "") => AddFigure(key, Math.Round(value, 3), unit);

    /// <summary>Adds a whole number.</summary>
    public void Add(string key, long value, string unit = "") => AddFigure(key, value, unit);

    /// <summary>Adds a text figure (a version, a mode).</summary>
    public void Add(string key, string value) => AddFigure(key, value, "");

    private void AddFigure(string key, object value, string unit)
    {
        if (_figures.Exists(f => f.Key == key))
            throw new InvalidOperationException($"Figure '{key}' was reported twice.");
        _figures.Add((key, value, unit));
    }

    /// <summary>A two-column table: figure, value with unit.</summary>
    public string ToTable(string title)
    {
        var width = Math.Max(6, _figures.Count == 0 ? 0 : _figures.Max(f => f.Key.Length));
        var sb = new StringBuilder();
        sb.AppendLine(title);
        sb.AppendLine(CultureInfo.InvariantCulture, $"| {"figure".PadRight(width)} | value");
        sb.AppendLine(CultureInfo.InvariantCulture, $"|-{new string('-', width)}-|------");
        foreach (var (key, value, unit) in _figures)
        {
            var text = value switch
            {
                double d => d.ToString("#,0.###", CultureInfo.InvariantCulture),
                long l => l.ToString("#,0", CultureInfo.InvariantCulture),
                _ => value.ToString(),
            };
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {key.PadRight(width)} | {text}{(unit.Length > 0 ? " " + unit : "")}");
        }
        return sb.ToString();
    }

    /// <summary>One flat JSON object: figure key to value.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            foreach (var (key, value, _) in _figures)
            {
                switch (value)
                {
                    case double d: writer.WriteNumber(key, d); break;
                    case long l: writer.WriteNumber(key, l); break;
                    default: writer.WriteString(key, value.ToString()); break;
                }
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
