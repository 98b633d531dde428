using System.Reflection;
using NUnit.Framework;
using PowerSync.Client;
using PowerSync.Core;
using PowerSync.Core.Replication;

namespace PowerSync.Tests.Docs;

/// <summary>
/// One list of error codes: every code constant of the libraries is in their catalog (and nothing else is),
/// and docs/errors.md shows exactly the catalogs' entries.
/// </summary>
public sealed class ErrorCatalogTests
{
    private static IEnumerable<string> CodeConstants(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => t.Name.EndsWith("ErrorCodes", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);

    [Test]
    public void Every_code_constant_of_the_core_is_in_its_catalog_once_and_the_catalog_has_no_other()
    {
        var constants = CodeConstants(typeof(PowerSyncErrors).Assembly).Distinct().Order(StringComparer.Ordinal);
        var catalog = PowerSyncErrors.All.Select(e => e.Code).ToList();

        Assert.That(catalog, Is.Unique);
        Assert.That(catalog.Order(StringComparer.Ordinal), Is.EqualTo(constants));
        Assert.That(PowerSyncErrors.All.Where(e => string.IsNullOrWhiteSpace(e.Meaning) || string.IsNullOrWhiteSpace(e.WhatToDo)), Is.Empty);
    }

    [Test]
    public void Every_client_code_constant_is_in_the_client_catalog_once_and_the_catalog_has_no_other()
    {
        var constants = CodeConstants(typeof(PowerSyncClientErrors).Assembly).Distinct().Order(StringComparer.Ordinal);
        var catalog = PowerSyncClientErrors.All.Select(e => e.Code).ToList();

        Assert.That(catalog, Is.Unique);
        Assert.That(catalog.Order(StringComparer.Ordinal), Is.EqualTo(constants));
    }

    [Test]
    public void An_exception_is_transient_as_its_catalog_entry_says()
    {
        Assert.That(new PowerSyncException(ReplicationErrorCodes.ConnectionLost, "x").IsTransient, Is.True);
        Assert.That(new PowerSyncException(ReplicationErrorCodes.PublicationMissing, "x").IsTransient, Is.False);
        Assert.That(new PowerSyncException("PSYNC_X9999", "x").IsTransient, Is.False, "a code not in the catalog is not promised to pass");
        Assert.That(new PowerSyncClientException(ClientErrorCodes.SyncHttpError, "x").IsTransient, Is.True);
        Assert.That(new PowerSyncClientException(ClientErrorCodes.InvalidSchema, "x").IsTransient, Is.False);
    }

    [Test]
    public void The_error_page_lists_exactly_the_catalogs()
    {
        var core = GeneratedSection.Read(Path.Combine("docs", "errors.md"), "catalog:core");
        var client = GeneratedSection.Read(Path.Combine("docs", "errors.md"), "catalog:client");

        var expectedCore = GeneratedSection.Table(["Code", "Area", "Meaning", "Transient", "What to do"],
            PowerSyncErrors.All.Select(e => new[] { $"`{e.Code}`", e.Area, e.Meaning, YesNo(e.IsTransient), e.WhatToDo }));
        var expectedClient = GeneratedSection.Table(["Code", "Meaning", "Transient", "What to do"],
            PowerSyncClientErrors.All.Select(e => new[] { $"`{e.Code}`", e.Meaning, YesNo(e.IsTransient), e.WhatToDo }));
        Assert.Multiple(() =>
        {
            Assert.That(core, Is.EqualTo(expectedCore), "docs/errors.md, between <!-- catalog:core --> and <!-- /catalog:core -->, must be:\n" + expectedCore);
            Assert.That(client, Is.EqualTo(expectedClient), "docs/errors.md, between <!-- catalog:client --> and <!-- /catalog:client -->, must be:\n" + expectedClient);
        });
    }

    private static string YesNo(bool transient) => transient ? "yes" : "no";
}
