using System.Diagnostics;
using System.Net;
using NUnit.Framework;
using PowerSync.Core.Protocol;

namespace PowerSync.Tests.Protocol;

/// <summary>Stopping the host ends open sync streams cleanly and at once, instead of waiting out the host's shutdown timeout.</summary>
public sealed class SyncShutdownTests
{
    [Test]
    public async Task The_host_stops_within_5_seconds_with_1000_streams_open_and_each_stream_ends_cleanly()
    {
        var (h, host) = await SyncEndpointsTests.StartAsync(maxConnections: 2000);
        await using var _ = h;
        await using var __ = host;

        using var opening = new SemaphoreSlim(50);
        var streams = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async i =>
        {
            await opening.WaitAsync();
            try
            {
                var response = await host.OpenAsync(host.StreamRequest("""{"raw_data":true}""", host.Token($"user-{i % 100}")));
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                var lines = new LineReader(await response.Content.ReadAsStreamAsync());
                Assert.That(await lines.NextAsync(60), Does.StartWith("{\"checkpoint\":"));
                return (response, lines);
            }
            finally
            {
                opening.Release();
            }
        }));
        Assert.That(host.Endpoints.OpenStreams, Is.EqualTo(1000));

        var stopwatch = Stopwatch.StartNew();
        await host.StopAsync();
        stopwatch.Stop();
        TestContext.Out.WriteLine($"stopped in {stopwatch.ElapsedMilliseconds} ms");
        Assert.That(stopwatch.Elapsed, Is.LessThanOrEqualTo(TimeSpan.FromSeconds(5)));

        // Every response completed (no connection reset): the rest of each stream reads to its end.
        await Task.WhenAll(streams.Select(async s =>
        {
            while (await s.lines.NextAsync(30) is not null)
            {
                // The rest of the first checkpoint.
            }
        }));
        Assert.That(host.Endpoints.OpenStreams, Is.Zero);
        foreach (var (response, lines) in streams)
        {
            lines.Dispose();
            response.Dispose();
        }
    }

    [Test]
    public async Task A_stream_requested_while_the_host_is_stopping_gets_503()
    {
        var (h, host) = await SyncEndpointsTests.StartAsync();
        await using var _ = h;
        await using var __ = host;
        using var open = await host.OpenAsync(host.StreamRequest("""{"raw_data":true}"""));
        using var lines = new LineReader(await open.Content.ReadAsStreamAsync());
        Assert.That(await lines.NextAsync(), Does.StartWith("{\"checkpoint\":"));

        // ApplicationStopping as the host raises it; the server itself still accepts requests.
        host.Endpoints.StopStreamsWhen(new CancellationToken(canceled: true));

        using var late = await host.Client.SendAsync(host.StreamRequest("""{"raw_data":true}"""));
        Assert.That(late.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(await late.Content.ReadAsStringAsync(), Does.Contain(ProtocolErrorCodes.ShuttingDown));
    }
}
