namespace PowerSync.Tests.Chaos;

/// <summary>Injecting and healing each kind of fault. A step that does not finish in time is a stall, never a hang.</summary>
internal sealed partial class ChaosRun
{
    private async Task InjectAsync(Fault fault)
    {
        switch (fault.Kind)
        {
            case FaultKind.BackendKill:
                await _backend!.KillAsync();
                break;
            case FaultKind.BackendPause:
                await _backend!.SignalAsync("STOP");
                break;
            case FaultKind.PostgresImmediateRestart:
                await StopPostgresAsync("immediate", fault);
                break;
            case FaultKind.PostgresFastRestart:
                await StopPostgresAsync("fast", fault);
                break;
            case FaultKind.ClientKill:
                await _clients[fault.Client].KillAsync();
                _journal.Note(_clients[fault.Client].Source, "killed");
                break;
            case FaultKind.ClientNetworkFreeze:
                foreach (var proxy in TargetProxies(fault)) proxy.Freeze();
                break;
            case FaultKind.ClientNetworkDrop:
                foreach (var proxy in TargetProxies(fault)) proxy.RefuseConnections();
                break;
            case FaultKind.PostgresNetworkFreeze:
                _postgresProxy!.Freeze();
                break;
            case FaultKind.PostgresNetworkDrop:
                _postgresProxy!.RefuseConnections();
                break;
        }
    }

    private async Task HealAsync(Fault fault)
    {
        switch (fault.Kind)
        {
            case FaultKind.BackendKill:
                if (!await _backend!.StartAsync(StartTimeout))
                {
                    _stalls.Add($"round {fault.Round} ({fault.Kind}): the backend did not start again within {StartTimeout.TotalSeconds:0} s");
                    throw new InvalidOperationException("The backend did not start again.");
                }
                break;
            case FaultKind.BackendPause:
                await _backend!.SignalAsync("CONT");
                break;
            case FaultKind.PostgresImmediateRestart or FaultKind.PostgresFastRestart:
                await _cluster!.StartServerAsync();
                break;
            case FaultKind.ClientKill:
                StartClient(_clients[fault.Client]);
                break;
            case FaultKind.ClientNetworkFreeze:
                foreach (var proxy in TargetProxies(fault)) proxy.Thaw();
                break;
            case FaultKind.ClientNetworkDrop:
                foreach (var proxy in TargetProxies(fault)) proxy.AcceptConnections();
                break;
            case FaultKind.PostgresNetworkFreeze:
                _postgresProxy!.Thaw();
                break;
            case FaultKind.PostgresNetworkDrop:
                _postgresProxy!.AcceptConnections();
                break;
        }
    }

    /// <summary>Stops Postgres in <paramref name="mode"/>; one that does not stop in time is a stall, and is then stopped immediately.</summary>
    private async Task StopPostgresAsync(string mode, Fault fault)
    {
        var started = _journal.Elapsed;
        if (await _cluster!.StopServerAsync(mode, StopTimeout))
        {
            _journal.Note("run", $"Postgres stopped (-m {mode}) in {(_journal.Elapsed - started).TotalSeconds:0.0} s");
            return;
        }
        _stalls.Add($"round {fault.Round} ({fault.Kind}): Postgres did not stop with -m {mode} within {StopTimeout.TotalSeconds:0} s (stopped with -m immediate instead)");
        _journal.Note("run", $"Postgres did not stop with -m {mode} within {StopTimeout.TotalSeconds:0} s");
        if (!await _cluster.StopServerAsync("immediate", StopTimeout)) throw new InvalidOperationException("Postgres did not stop even with -m immediate.");
    }

    private List<Replication.FreezableTcpProxy> TargetProxies(Fault fault) =>
        fault.Client >= 0 ? [_clientProxies[fault.Client]] : _clientProxies;
}
