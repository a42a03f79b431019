using System.Runtime.InteropServices;

namespace Pocket.Training.Training;

/// <summary>
/// <c>at::globalContext().setUserEnabledMkldnn(bool)</c> and <c>setUserEnabledNNPACK(bool)</c>, which TorchSharp
/// does not expose (PyTorch's <c>torch.backends.mkldnn.enabled</c>, <c>torch.backends.nnpack</c>). They are plain
/// exported C++ functions of libtorch_cpu (Itanium ABI names, Linux and macOS); a member function takes the
/// context as its first argument.
/// </summary>
internal static partial class LibTorchContext
{
    private const string Library = "torch_cpu";

    /// <summary>
    /// Lets float32 conv use oneDNN (libtorch's default), or not, so that it runs libtorch's own im2col + BLAS
    /// kernels.
    /// </summary>
    public static void UseOneDnn(bool enabled) => Call(context =>
    {
        SetUserEnabledMkldnn(context, enabled);
        if (UserEnabledMkldnn(context) != enabled) throw new LibTorchException("libtorch did not take the oneDNN setting");
    });

    /// <summary>
    /// Keeps libtorch from NNPACK. With oneDNN on, libtorch hands NNPACK only the convs oneDNN does not take (float64
    /// among them); where NNPACK does not support the CPU, libtorch asks again and prints a warning at every such
    /// conv (12 lines for the check alone on AMD Zen 5). Off, those convs run libtorch's own kernels, and there is one
    /// float32 implementation fewer that the check would have to vouch for.
    /// </summary>
    public static void DisableNnpack() => Call(context => SetUserEnabledNNPACK(context, false));

    private static void Call(Action<IntPtr> action)
    {
        try
        {
            action(GlobalContext());
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            throw new LibTorchException($"cannot change libtorch's conv settings on this platform ({e.Message})");
        }
    }

    [LibraryImport(Library, EntryPoint = "_ZN2at13globalContextEv")]
    private static partial IntPtr GlobalContext();

    [LibraryImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static partial void SetUserEnabledNNPACK(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport(Library, EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool UserEnabledMkldnn(IntPtr context);
}
