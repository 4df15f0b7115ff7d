namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>
/// Wakes this instance's dispatcher and waiting change-stream readers when the projector committed events, so that
/// delivery does not wait for the next poll. Events projected by another instance are found by polling.
/// </summary>
public sealed class EventSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Returns on the next pulse or after <paramref name="timeout"/> (wall-clock time), whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Volatile.Read(ref _next).Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }
}
