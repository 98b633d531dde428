namespace PowerSync.Client.Crud;

/// <summary>The kind of a queued local write.</summary>
public enum UpdateType
{
    /// <summary>Insert or replace the whole row (<c>data</c> holds every non-null column).</summary>
    Put,

    /// <summary>Update the columns in <c>data</c> (a column set to NULL appears as null).</summary>
    Patch,

    /// <summary>Delete the row.</summary>
    Delete,
}
