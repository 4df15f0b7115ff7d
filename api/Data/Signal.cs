namespace ZonaIntegritas.Api.Data;

/// <summary>
/// Wakes background loops of this instance when something they look for was committed here, so that they need not wait
/// for their next poll. Work committed by another instance is still found by polling.
/// </summary>
public class Signal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Returns on the next pulse or after <paramref name="timeout"/> (wall-clock time), whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        // The timeout is the usual outcome for idle loops (several a second): await it without throwing.
        await Volatile.Read(ref _next).Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
    }
}

/// <summary>Pulsed once a request's writes have committed (after its audit entries are recorded in the change stamps).</summary>
public sealed class WriteSignal : Signal;
