using System.Diagnostics;
using Scaler.Testing;

namespace Scaler.EndToEnd.Tests.Support;

/// <summary>
/// The certificates of a dev cluster as <c>scripts/make-dev-ca.sh DIR</c> makes them (so the tests run the script a
/// user runs): <c>ca.pem</c>, and <c>ROLE.pem</c>/<c>ROLE.key</c> for server, client, worker, admin and monitor, for
/// 127.0.0.1 and localhost. Where openssl is missing, the same files are made with .NET's CertificateRequest.
/// </summary>
internal sealed class DevCertificates : IDisposable
{
    private static readonly string[] Roles = ["server", "client", "worker", "admin", "monitor"];
    private readonly TestPki? _pki;

    private DevCertificates(string directory, TestPki? pki)
    {
        Directory = directory;
        _pki = pki;
    }

    public string Directory { get; }

    public string CaPath => Path.Combine(Directory, "ca.pem");

    public static async Task<DevCertificates> CreateAsync(TimeSpan bound)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("scaler-dev-ca-").FullName;
        if (!OnPath("openssl"))
        {
            var pki = TestPki.Create("Scaler dev CA");
            File.Copy(pki.CaPath, Path.Combine(directory, "ca.pem"));
            foreach (var role in Roles)
            {
                var issued = pki.Issue("scaler-" + role, role);
                File.Copy(issued.CertificatePath, Path.Combine(directory, role + ".pem"));
                File.Copy(issued.KeyPath, Path.Combine(directory, role + ".key"));
            }

            return new DevCertificates(directory, pki);
        }

        var script = Path.Combine(RepositoryRoot(), "scripts", "make-dev-ca.sh");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { script, directory, "127.0.0.1", "localhost" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(bound);
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"make-dev-ca.sh failed ({process.ExitCode}): {await output}{await error}");
        }

        return new DevCertificates(directory, null);
    }

    /// <summary>The certificate of <paramref name="role"/>: <c>tls_cert</c>.</summary>
    public string Certificate(string role) => Path.Combine(Directory, role + ".pem");

    /// <summary>Its key: <c>tls_key</c>.</summary>
    public string Key(string role) => Path.Combine(Directory, role + ".key");

    /// <summary>The command-line options that give a process the certificate of <paramref name="role"/> and the CA.</summary>
    public string[] Options(string role) => ["--tls-cert", Certificate(role), "--tls-key", Key(role), "--tls-ca", CaPath];

    /// <summary>Client options presenting the certificate of <paramref name="role"/> (null: none) and checking the CA.</summary>
    public ClientOptions ClientOptions(string? role) => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(30),
        TlsCertificatePath = role is null ? null : Certificate(role),
        TlsKeyPath = role is null ? null : Key(role),
        TlsCaPath = CaPath,
    };

    public void Dispose()
    {
        _pki?.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(dir => File.Exists(Path.Combine(dir, program)));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Scaler.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Scaler.slnx) above " + AppContext.BaseDirectory);
    }
}
