using System.ComponentModel.DataAnnotations;

namespace ZonaIntegritas.Api.Features.Compliance;

public sealed class ComplianceStoreOptions
{
    public const string Section = "Compliance";

    /// <summary>Whether this instance builds stale stored documents in the background (reads build them either way).</summary>
    public bool RefresherEnabled { get; set; } = true;

    [Range(20, 60_000, ErrorMessage = "Compliance:RefreshMilliseconds must be between 20 and 60000 (how often stale stored documents are looked for).")]
    public int RefreshMilliseconds { get; set; } = 250;

    [Range(1, 5_000, ErrorMessage = "Compliance:RefreshBatch must be between 1 and 5000 (documents built and saved together).")]
    public int RefreshBatch { get; set; } = 200;
}

/// <summary>
/// Builds stored compliance documents again once writes have marked them stale (usually within a poll of the commit)
/// and when a date they depend on comes (valid_until), so that reads find them ready; a rebuild for a date that changed
/// the unit's stage, flags or absorption records compliance.date_passed for the webhook projector (ComplianceStore),
/// so at least one instance should run it for date-driven events to flow. At start it also builds the rows
/// of units that have none (a migration's backfill, a bulk load). Any number of instances may run it: saves are
/// conditional on the row's version, so the worst case is a document built twice.
/// </summary>
public sealed class ComplianceRefresher(DbConnectionFactory db, ComplianceStore store, IOptions<ComplianceStoreOptions> options, TimeProvider time,
    ILogger<ComplianceRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RefresherEnabled)
        {
            return;
        }
        var missingChecked = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var looked = 0;
            try
            {
                await using var connection = await db.OpenAsync(stoppingToken);
                looked = await store.RefreshStaleAsync(connection, db.Dialect, IndonesiaClock.Today(time), options.Value.RefreshBatch, includeMissing: !missingChecked);
                missingChecked |= looked < options.Value.RefreshBatch;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // A busy database must not stop the refresher; stale rows stay stale (reads build them) and are retried.
                logger.LogWarning(exception, "Refreshing stored compliance documents failed; retrying.");
            }
            if (looked < options.Value.RefreshBatch)
            {
                try
                {
                    await Task.Delay(options.Value.RefreshMilliseconds, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
