using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Logging.Abstractions;

namespace Leakwatch.Templates;

/// <summary>
/// Renders a Razor component to an HTML string, without a web host: the server renders its pages with it and the CLI
/// its reports. Text and attribute values are encoded by <see cref="WebUtilityHtmlEncoder"/>.
/// </summary>
public static class ComponentHtml
{
    private static readonly TemplateServices Services = new();

    /// <summary>Renders <typeparamref name="TComponent"/> with <paramref name="parameters"/> (property name to value).</summary>
    public static string Render<TComponent>(IDictionary<string, object?> parameters)
        where TComponent : IComponent
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var renderer = new HtmlRenderer(Services, NullLoggerFactory.Instance);
        // The templates have no asynchronous work, so the dispatcher runs this inline and the task is already complete.
        return renderer.Dispatcher.InvokeAsync(async () =>
            {
                var root = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters));
                return root.ToHtmlString();
            })
            .GetAwaiter().GetResult();
    }

    /// <summary>The only service the renderer needs from us is the encoder; it asks for others and copes with none.</summary>
    private sealed class TemplateServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(HtmlEncoder) ? WebUtilityHtmlEncoder.Instance : null;
    }
}
