using System.Text;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>Evaluates an expression over one source row (or json_each row).</summary>
internal delegate SqliteValue RowEvaluator(IReadOnlyDictionary<string, SqliteValue> row);

/// <summary>Evaluates an expression over the request (JWT, client and subscription parameters).</summary>
internal delegate SqliteValue RequestEvaluator(RequestContext request);

/// <summary>A bucket-parameter value: a SQLite value, or a raw JSON value from an <c>IN</c> fan-out.</summary>
internal readonly record struct ParamValue(SqliteValue Value, JsonNode? Raw)
{
    public static ParamValue Of(SqliteValue value) => new(value, null);

    /// <summary>Appends the value as it appears in a bucket id or lookup key (plain JSON).</summary>
    public void AppendTo(StringBuilder sb)
    {
        if (Raw is not null)
        {
            Raw.Write(sb, dataReals: false);
        }
        else
        {
            JsonText.AppendBucketValue(sb, Value);
        }
    }
}

/// <summary>One parameter a row filter binds: <c>bucket.p</c>, or a request expression in a parameter query.</summary>
/// <param name="Key">Stable text key, e.g. <c>bucket.org</c> or <c>request.user_id()</c>.</param>
/// <param name="Expands">True for <c>row_value IN request_array</c>: the request value is a JSON array to expand.</param>
/// <param name="Lookup">Computes the request-side value (parameter queries only).</param>
internal sealed record InputParameter(string Key, bool Expands, RequestEvaluator? Lookup);

/// <summary>A compiled WHERE: for a row, the parameter assignments under which it matches.</summary>
internal sealed class ParameterMatch(IReadOnlyList<InputParameter> inputs, bool unbounded, Func<IReadOnlyDictionary<string, SqliteValue>, List<ParamAssignment>> filter)
{
    public IReadOnlyList<InputParameter> Inputs { get; } = inputs;

    public bool Unbounded { get; } = unbounded;

    public Func<IReadOnlyDictionary<string, SqliteValue>, List<ParamAssignment>> Filter { get; } = filter;
}

/// <summary>What a <see cref="CompiledExpression"/> depends on.</summary>
internal enum CompiledExpressionKind : byte
{
    Error,
    Static,
    Row,
    Parameter,
    Match,
}

/// <summary>
/// The compiled form of an expression, classified by what it depends on: nothing (folded to a
/// value), the row, the request/bucket parameters, or a parameter match (a WHERE shape).
/// </summary>
internal sealed class CompiledExpression
{
    public static readonly CompiledExpression Error = new() { Kind = CompiledExpressionKind.Error };

    public CompiledExpressionKind Kind { get; private init; }

    public SqliteValue Value { get; private init; }

    public RowEvaluator? Row { get; private init; }

    public string Key { get; private init; } = string.Empty;

    /// <summary>The request-side evaluator of a parameter expression; null for <c>bucket.*</c> parameters, which only rows bind.</summary>
    public RequestEvaluator? Request { get; private init; }

    public ParameterMatch? Match { get; private init; }

    /// <summary>A row-level evaluator (static values included).</summary>
    public RowEvaluator RowEvaluator => Kind == CompiledExpressionKind.Static ? StaticRow(Value) : Row!;

    /// <summary>A request-level evaluator (static values included).</summary>
    public RequestEvaluator RequestEvaluator => Kind == CompiledExpressionKind.Static ? StaticRequest(Value) : Request!;

    /// <summary>A request-level evaluator (static values included), or null when the expression has none.</summary>
    public RequestEvaluator? RequestEvaluatorOrNull => Kind == CompiledExpressionKind.Static ? StaticRequest(Value) : Request;

    private static RowEvaluator StaticRow(SqliteValue v) => _ => v;

    private static RequestEvaluator StaticRequest(SqliteValue v) => _ => v;

    public bool IsRowValue => Kind is CompiledExpressionKind.Static or CompiledExpressionKind.Row;

    public bool IsParameterValue => Kind is CompiledExpressionKind.Static or CompiledExpressionKind.Parameter;

    public static CompiledExpression Static(SqliteValue value) => new()
    {
        Kind = CompiledExpressionKind.Static,
        Value = value,
        Key = StaticKey(value),
    };

    private static string StaticKey(SqliteValue value)
    {
        var sb = new StringBuilder();
        JsonText.AppendDataValue(sb, value);
        return sb.ToString();
    }

    public static CompiledExpression ForRow(RowEvaluator row) => new() { Kind = CompiledExpressionKind.Row, Row = row };

    public static CompiledExpression ForParameter(string key, RequestEvaluator? request) => new() { Kind = CompiledExpressionKind.Parameter, Key = key, Request = request };

    public static CompiledExpression ForMatch(ParameterMatch match) => new() { Kind = CompiledExpressionKind.Match, Match = match };
}
