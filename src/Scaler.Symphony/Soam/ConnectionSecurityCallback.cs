namespace Scaler.Symphony.Soam;

/// <summary>Credentials handed to <see cref="ISoamApi.Connect"/>, as SOAM's security callbacks.</summary>
public abstract class ConnectionSecurityCallback
{
    public abstract string UserName { get; }

    public abstract string Password { get; }
}

/// <summary>User name and password, as SOAM's <c>DefaultSecurityCallback</c>; the samples use Guest/Guest.</summary>
public sealed class DefaultSecurityCallback : ConnectionSecurityCallback
{
    public DefaultSecurityCallback(string userName, string password)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        UserName = userName;
        Password = password;
    }

    /// <summary>The Guest/Guest account of Symphony's samples.</summary>
    public static DefaultSecurityCallback Guest { get; } = new("Guest", "Guest");

    public override string UserName { get; }

    public override string Password { get; }
}
