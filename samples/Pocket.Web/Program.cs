using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using Pocket.Web;

var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<ClassifierPage>("#app");
// Only the page's own files (the shipped models) are fetched, relative to where the page is served from.
builder.Services.AddScoped(_ => new HttpClient { BaseAddress = new Uri(builder.HostEnvironment.BaseAddress) });
await builder.Build().RunAsync();
