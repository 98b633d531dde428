using System.Collections.Concurrent;
using PowerSync.Client;
using PowerSync.Client.Crud;

namespace PowerSync.Tests.Client;

/// <summary>A backend connector: tokens "token-1", "token-2", ...; uploads go to <see cref="Upload"/>.</summary>
internal sealed class TestConnector(Uri endpoint) : IPowerSyncBackendConnector
{
    private int _tokens;

    /// <summary>Handles one upload round; default: take the next transaction, record it, complete it.</summary>
    public Func<PowerSyncDatabase, CancellationToken, Task>? Upload { get; set; }

    public ConcurrentQueue<CrudTransaction> Uploaded { get; } = new();

    public int CredentialFetches => Volatile.Read(ref _tokens);

    /// <summary>False: the user is signed out, and the connector returns no credentials.</summary>
    public bool SignedIn { get; set; } = true;

    /// <summary>The endpoint the credentials name (default: the server's).</summary>
    public Uri Endpoint { get; set; } = endpoint;

    public Task<PowerSyncCredentials?> FetchCredentialsAsync(CancellationToken cancellationToken)
    {
        if (!SignedIn) return Task.FromResult<PowerSyncCredentials?>(null);
        var n = Interlocked.Increment(ref _tokens);
        return Task.FromResult<PowerSyncCredentials?>(new PowerSyncCredentials(Endpoint, $"token-{n}"));
    }

    public async Task UploadDataAsync(PowerSyncDatabase database, CancellationToken cancellationToken)
    {
        if (Upload is { } upload)
        {
            await upload(database, cancellationToken);
            return;
        }

        await UploadNextAsync(database, cancellationToken);
    }

    public async Task UploadNextAsync(PowerSyncDatabase database, CancellationToken cancellationToken)
    {
        var tx = await database.GetNextCrudTransactionAsync(cancellationToken);
        if (tx is null) return;
        Uploaded.Enqueue(tx);
        await tx.CompleteAsync(cancellationToken: cancellationToken);
    }
}
