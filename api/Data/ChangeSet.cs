namespace ZonaIntegritas.Api.Data;

/// <summary>What one request changed, collected as its audit entries are written.</summary>
public sealed class ChangeSet
{
    private readonly List<(string EntityType, Guid? AgencyId, Guid? UnitId)> _changes = [];

    public void Add(string entityType, Guid? agencyId, Guid? unitId)
    {
        lock (_changes)
        {
            _changes.Add((entityType, agencyId, unitId));
        }
    }

    public IReadOnlyList<(string EntityType, Guid? AgencyId, Guid? UnitId)> Drain()
    {
        lock (_changes)
        {
            var all = _changes.ToList();
            _changes.Clear();
            return all;
        }
    }
}

/// <summary>Once a handler has returned (its transaction committed or rolled back), records what it changed.</summary>
public sealed class ChangeSetFilter(ChangeStamps stamps, WriteSignal written) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        finally
        {
            if (context.HttpContext.Features.Get<ChangeSet>() is { } changes)
            {
                var drained = changes.Drain();
                foreach (var (entityType, agencyId, unitId) in drained)
                {
                    stamps.Record(entityType, agencyId, unitId);
                }
                if (drained.Count > 0)
                {
                    // Audit entries are recorded even when the handler's transaction rolled back; a spurious wake-up costs one look.
                    written.Pulse();
                }
            }
        }
    }
}
