using System.Diagnostics;
using Xunit.Abstractions;

namespace Pocket.Runtime.Tests;

/// <summary>
/// tools/arm64/check.sh: every zoo model and a compressed LeNet-5 run on linux-arm64 (qemu user-mode emulation)
/// must give x64's logits within 1e-5, through the NEON paths. The whole check (two builds, an arm64 publish and
/// the emulated run) took 19 minutes on the shared 2-core machine, far over a unit test's budget, so it runs only
/// when qemu-aarch64-static is installed and POCKET_ARM64_CHECK=1 is set; otherwise the test says so and passes.
/// </summary>
public class Arm64CheckTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Arm64LogitsMatchX64WhenQemuIsPresentAndEnabled()
    {
        bool qemu = File.Exists("/usr/bin/qemu-aarch64-static") && Directory.Exists("/usr/aarch64-linux-gnu");
        if (!qemu || Environment.GetEnvironmentVariable("POCKET_ARM64_CHECK") != "1")
        {
            output.WriteLine(qemu
                ? "not run: set POCKET_ARM64_CHECK=1 to run tools/arm64/check.sh (takes minutes)"
                : "not run: qemu-aarch64-static or /usr/aarch64-linux-gnu missing (apt-get install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross)");
            return;
        }
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Pocket.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        string work = Directory.CreateTempSubdirectory("pocket-arm64-").FullName;
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "tools/arm64/check.sh"), work])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderrTask = process.StandardError.ReadToEndAsync();
        string stdout = await process.StandardOutput.ReadToEndAsync();
        string stderr = await stderrTask;
        await process.WaitForExitAsync();
        output.WriteLine(stdout + stderr);
        Assert.True(process.ExitCode == 0, $"check.sh exited with {process.ExitCode}: {stderr}");
        // The emulated process really took the NEON paths (Vector<float> 4 wide, AdvSimd.Arm64 supported).
        Assert.Contains("Arm64: Vector<float>.Count=4", stdout);
        Assert.Contains("AdvSimd.Arm64 True", stdout);
        Assert.Contains("lenet5-compressed.f32: ok", stdout);
        Assert.DoesNotContain("DIFFERENT", stdout);
        Directory.Delete(work, recursive: true);
    }
}
