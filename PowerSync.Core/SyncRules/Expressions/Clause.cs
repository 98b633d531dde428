using System.Text;
using PowerSync.Core.SyncRules.Json;

namespace PowerSync.Core.SyncRules.Expressions;

/// <summary>Evaluates an expression over one source row (or json_each row).</summary>
internal delegate SqliteValue RowEval(IReadOnlyDictionary<string, SqliteValue> row);

/// <summary>Evaluates an expression over the request (JWT, client and subscription parameters).</summary>
internal delegate SqliteValue ParamEval(RequestContext request);

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
internal sealed record InputParameter(string Key, bool Expands, ParamEval? Lookup);

/// <summary>A compiled WHERE: for a row, the parameter assignments under which it matches.</summary>
internal sealed class MatchClause(IReadOnlyList<InputParameter> inputs, bool unbounded, Func<IReadOnlyDictionary<string, SqliteValue>, List<ParamAssignment>> filter)
{
    public IReadOnlyList<InputParameter> Inputs { get; } = inputs;

    public bool Unbounded { get; } = unbounded;

    public Func<IReadOnlyDictionary<string, SqliteValue>, List<ParamAssignment>> Filter { get; } = filter;
}

internal enum ClauseKind : byte
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
internal sealed class Clause
{
    public static readonly Clause Error = new() { Kind = ClauseKind.Error };

    public ClauseKind Kind { get; private init; }

    public SqliteValue Value { get; private init; }

    public RowEval? Row { get; private init; }

    public string Key { get; private init; } = string.Empty;

    public ParamEval? Param { get; private init; }

    public MatchClause? Match { get; private init; }

    /// <summary>A row-level evaluator (static values included).</summary>
    public RowEval RowEvaluator => Kind == ClauseKind.Static ? StaticRow(Value) : Row!;

    /// <summary>A request-level evaluator (static values included).</summary>
    public ParamEval ParamEvaluator => Kind == ClauseKind.Static ? StaticParam(Value) : Param!;

    private static RowEval StaticRow(SqliteValue v) => _ => v;

    private static ParamEval StaticParam(SqliteValue v) => _ => v;

    public bool IsRowValue => Kind is ClauseKind.Static or ClauseKind.Row;

    public bool IsParameterValue => Kind is ClauseKind.Static or ClauseKind.Parameter;

    public static Clause Static(SqliteValue value) => new()
    {
        Kind = ClauseKind.Static,
        Value = value,
        Key = StaticKey(value),
    };

    private static string StaticKey(SqliteValue value)
    {
        var sb = new StringBuilder();
        JsonText.AppendDataValue(sb, value);
        return sb.ToString();
    }

    public static Clause ForRow(RowEval row) => new() { Kind = ClauseKind.Row, Row = row };

    public static Clause ForParameter(string key, ParamEval? param) => new() { Kind = ClauseKind.Parameter, Key = key, Param = param };

    public static Clause ForMatch(MatchClause match) => new() { Kind = ClauseKind.Match, Match = match };
}
