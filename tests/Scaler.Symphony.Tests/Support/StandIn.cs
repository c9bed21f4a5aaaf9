namespace Scaler.Symphony.Tests.Support;

/// <summary>Where the build put the stand-in for IBM's assembly (a SOAM_HOME-like tree).</summary>
internal static class StandIn
{
    public static string SoamHome => Path.Combine(AppContext.BaseDirectory, "soam-standin");

    public static string LibDirectory => Path.Combine(SoamHome, "soam", "7.3.2", "linux-x86_64", "lib64");

    public static string AssemblyPath => Path.Combine(LibDirectory, "Platform.Symphony.Soam.Net.dll");
}
