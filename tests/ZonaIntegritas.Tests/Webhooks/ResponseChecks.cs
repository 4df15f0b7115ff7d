using System.Net;

namespace ZonaIntegritas.Tests.Webhooks;

internal static class ResponseChecks
{
    public static void EnsureStatus(this HttpResponseMessage response, HttpStatusCode expected) =>
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {response.Content.ReadAsStringAsync().Result}");
}
