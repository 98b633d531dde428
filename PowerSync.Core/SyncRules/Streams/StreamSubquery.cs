using PowerSync.Core.SyncRules.Expressions;

namespace PowerSync.Core.SyncRules.Streams;

/// <summary>A parsed, not yet variant-compiled stream subquery: its table, its one output column and its filter.</summary>
internal sealed class StreamSubquery(SourceTablePattern table, CompiledExpression column, StreamFilter filter)
{
    public SourceTablePattern Table { get; } = table;

    public CompiledExpression Column { get; } = column;

    public StreamFilter Filter { get; private set; } = filter;

    public void AddFilter(StreamFilter extra) => Filter = new AndFilter(Filter.Position, [Filter, extra]);
}
