namespace ZonaIntegritas.Api.Data;

public static class WriteTransactions
{
    /// <summary>
    /// Runs <paramref name="write"/> (the rows and their audit entry) in <paramref name="transaction"/> and commits: null.
    /// When a unique index refuses a row, rolls back and answers what <paramref name="conflict"/> reads outside it.
    /// </summary>
    public static async Task<TConflict?> CommitOrConflictAsync<TConflict>(this DbTransaction transaction, ISqlDialect dialect,
        Func<Task> write, Func<Task<TConflict>> conflict, CancellationToken cancellationToken) where TConflict : class
    {
        try
        {
            await write();
            await transaction.CommitAsync(cancellationToken);
            return null;
        }
        catch (DbException e) when (dialect.IsUniqueViolation(e))
        {
            await transaction.RollbackAsync(cancellationToken);
            return await conflict();
        }
    }
}
