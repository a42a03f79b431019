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
    /// Lets conv use oneDNN (libtorch's default), or neither oneDNN nor NNPACK, so that it runs libtorch's own
    /// im2col + BLAS kernels. NNPACK goes too: it is one more float32 implementation the check would have to
    /// vouch for, and on CPUs it does not support libtorch tries it, and warns, at every conv.
    /// </summary>
    public static void UseOneDnn(bool enabled)
    {
        try
        {
            IntPtr context = GlobalContext();
            SetUserEnabledMkldnn(context, enabled);
            if (!enabled) SetUserEnabledNNPACK(context, false);
            if (UserEnabledMkldnn(context) != enabled) throw new LibTorchException("libtorch did not take the oneDNN setting");
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            throw new LibTorchException($"cannot switch libtorch's oneDNN conv on or off on this platform ({e.Message})");
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
