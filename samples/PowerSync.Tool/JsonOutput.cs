using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PowerSync.Tool;

/// <summary>The one JSON document a command writes with <c>--json</c>: snake_case names, enums as text, durations in seconds.</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new SecondsConverter() },
    };

    public static Task WriteAsync<T>(TextWriter writer, T value) => writer.WriteLineAsync(JsonSerializer.Serialize(value, Options));

    /// <summary>The document of a failed command: <c>{"error":{"code":...,"message":...}}</c>.</summary>
    public static Task WriteErrorAsync(TextWriter writer, string code, string message) =>
        WriteAsync(writer, new { Error = new { Code = code, Message = message } });

    private sealed class SecondsConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            TimeSpan.FromSeconds(reader.GetDouble());

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
            writer.WriteRawValue(Math.Round(value.TotalSeconds, 3).ToString("0.###", CultureInfo.InvariantCulture));
    }
}
