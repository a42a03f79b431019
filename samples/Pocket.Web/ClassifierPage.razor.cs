using System.Diagnostics;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.JSInterop;

namespace Pocket.Web;

/// <summary>
/// The page: loads the shipped models once, then classifies drawings and dropped pictures with the chosen model, or
/// switches to a dropped .pocket file. Everything after start-up happens in this WebAssembly instance: no request.
/// </summary>
public partial class ClassifierPage
{
    /// <summary>A model shipped in wwwroot/models/, made by `pocket compress` (see samples/Pocket.Web/README.md).</summary>
    public sealed record ShippedModel(string Id, string File, string Title);

    public static readonly ShippedModel[] ShippedModels =
    [
        new("mnist", "lenet5-mnist.pocket", "Digits: LeNet-5 (MNIST)"),
        new("fashion", "lenet300-fashion-mnist.pocket", "Clothes: LeNet-300-100 (Fashion-MNIST)"),
    ];

    /// <summary>Largest file the page reads: far above any model it can run in a tab, small enough not to exhaust memory.</summary>
    private const long MaxFileBytes = 64L * 1024 * 1024;

    private const int TimingRounds = 7, TimingRepeats = 20;

    private readonly Dictionary<string, byte[]> _shippedBytes = new();
    private ElementReference _pad;
    private DotNetObjectReference<ClassifierPage>? _self;
    private string? _error;
    private TopClasses.Entry[]? _top;
    private float[]? _lastInput;
    private bool _inverted, _ready;
    private double _latencyMs, _readyMs, _firstPredictionMs;
    private double? _medianMs;
    private int _predictions, _requestsAfterLoad;

    private LoadedModel? Model { get; set; }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        _self = DotNetObjectReference.Create(this);
        await JS.InvokeVoidAsync("pocketWeb.attachPad", _pad, _self);
        try
        {
            // Every file the page will ever need, fetched now: after this point it makes no request.
            foreach (var shipped in ShippedModels)
                _shippedBytes[shipped.File] = await Http.GetByteArrayAsync("models/" + shipped.File);
            Use(LoadedModel.Load(ShippedModels[0].File, _shippedBytes[ShippedModels[0].File]));
        }
        catch (Exception e) when (e is HttpRequestException or ModelLoadException)
        {
            _error = e.Message.ReplaceLineEndings(" ");
        }
        await JS.InvokeVoidAsync("pocketWeb.markLoaded");
        _readyMs = await JS.InvokeAsync<double>("pocketWeb.now");
        _ready = true;
        StateHasChanged();
    }

    private async Task LoadShipped(ShippedModel shipped)
    {
        if (!_shippedBytes.TryGetValue(shipped.File, out var bytes)) return;
        Use(LoadedModel.Load(shipped.File, bytes));
        await PredictAgain();
    }

    private void Use(LoadedModel model)
    {
        Model = model;
        _error = null;
        _top = null;
        _medianMs = null;
    }

    private async Task OnFileChosen(InputFileChangeEventArgs e)
    {
        IBrowserFile file = e.File;
        if (file.Size > MaxFileBytes)
        {
            _error = $"{file.Name}: {file.Size:N0} bytes is more than this page reads ({MaxFileBytes:N0})";
            return;
        }
        var bytes = new byte[file.Size];
        await using (var stream = file.OpenReadStream(MaxFileBytes))
            await stream.ReadExactlyAsync(bytes);

        if (file.Name.EndsWith(".pocket", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                Use(LoadedModel.Load(file.Name, bytes));
                await PredictAgain();
            }
            catch (ModelLoadException error)
            {
                _error = error.Message; // the model in use stays loaded
            }
            return;
        }
        if (Model is not { } model) return;
        byte[]? rgba = await JS.InvokeAsync<byte[]?>("pocketWeb.showPicture", _pad, bytes, model.Image.Height, model.Image.Width);
        if (rgba is null)
        {
            _error = $"{file.Name}: not a picture this browser can decode, nor a .pocket file";
            return;
        }
        _error = null;
        await Predict(rgba);
    }

    /// <summary>Called by the page's script when a stroke ends.</summary>
    [JSInvokable]
    public async Task OnDrawn()
    {
        await PredictAgain();
        StateHasChanged();
    }

    /// <summary>Classifies what the pad shows now (after a stroke, a picture, or a change of model).</summary>
    private async Task PredictAgain()
    {
        if (Model is not { } model) return;
        byte[]? rgba = await JS.InvokeAsync<byte[]?>("pocketWeb.padPixels", _pad, model.Image.Height, model.Image.Width, model.MnistStyle);
        if (rgba is not null) await Predict(rgba);
    }

    private async Task Predict(byte[] rgba)
    {
        var model = Model!;
        var input = ModelInput.FromRgba(rgba, model.Image, model.MnistStyle);
        var clock = Stopwatch.StartNew();
        float[] output = model.Network.Predict(input.Values);
        _latencyMs = clock.Elapsed.TotalMilliseconds;
        _top = TopClasses.Of(output, model.Labels, model.EndsInSoftmax);
        _lastInput = input.Values;
        _inverted = input.Inverted;
        _medianMs = null;
        if (_predictions++ == 0) _firstPredictionMs = await JS.InvokeAsync<double>("pocketWeb.now");
        _requestsAfterLoad = await JS.InvokeAsync<int>("pocketWeb.requestsSinceLoaded");
    }

    private void Clear()
    {
        _ = JS.InvokeVoidAsync("pocketWeb.clearPad", _pad);
        _top = null;
        _lastInput = null;
        _medianMs = null;
    }

    /// <summary>
    /// Median over rounds of the mean time of several predictions of the last input: the browser's clock is coarse
    /// (0.1 ms in Chromium without cross-origin isolation), finer than one LeNet call only when averaged.
    /// </summary>
    private void TimePredictions()
    {
        if (Model is not { } model || _lastInput is null) return;
        var output = new float[model.Network.OutputLength];
        var rounds = new double[TimingRounds];
        for (int r = 0; r < TimingRounds; r++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < TimingRepeats; i++) model.Network.Predict(_lastInput, output);
            rounds[r] = clock.Elapsed.TotalMilliseconds / TimingRepeats;
        }
        Array.Sort(rounds);
        _medianMs = rounds[TimingRounds / 2];
    }

    public async ValueTask DisposeAsync()
    {
        _self?.Dispose();
        await ValueTask.CompletedTask;
    }
}
