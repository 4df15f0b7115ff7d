using ZonaIntegritas.Api.Data;

namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>Pulsed when the projector committed events: wakes this instance's dispatcher and waiting change-stream readers.</summary>
public sealed class EventSignal : Signal;
