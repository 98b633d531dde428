namespace PowerSync.Client.Tables;

/// <summary>The data of <see cref="PowerSyncDatabase.SchemaChanged"/>.</summary>
public sealed class SchemaChangedEventArgs(Schema schema) : EventArgs
{
    /// <summary>The schema now in use.</summary>
    public Schema Schema { get; } = schema;
}
