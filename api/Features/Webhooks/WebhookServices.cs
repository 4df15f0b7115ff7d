namespace ZonaIntegritas.Api.Features.Webhooks;

public static class WebhookServices
{
    /// <summary>Options, the SSRF rules, the signed sender, and the background services (projector, dispatcher, retention).</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WebhookTargets>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<EventSignal>();
        services.AddSingleton<EventProjector>();
        services.AddHostedService(provider => provider.GetRequiredService<EventProjector>());
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<WebhookDispatcher>());
        services.AddSingleton<EventRetention>();
        services.AddHostedService(provider => provider.GetRequiredService<EventRetention>());
        return services;
    }
}
