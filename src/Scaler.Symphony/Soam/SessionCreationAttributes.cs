namespace Scaler.Symphony.Soam;

/// <summary>What <see cref="ISoamConnection.CreateSession"/> needs, as SOAM's <c>SessionCreationAttributes</c>.</summary>
public sealed class SessionCreationAttributes
{
    /// <summary>The session type Scaler's application profile defines and the reference uses.</summary>
    public const string DefaultSessionType = "RecoverableAllHistoricalData";

    /// <summary>Limit SOAM documents for the name (its sources say 256 or 1024; the lower one is kept).</summary>
    public const int MaxSessionNameLength = 256;

    private string _sessionName = "ScalerSession";

    /// <summary>Informational; need not be unique; at most <see cref="MaxSessionNameLength"/> characters.</summary>
    public string SessionName
    {
        get => _sessionName;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Length > MaxSessionNameLength)
            {
                throw new ArgumentException($"a session name has at most {MaxSessionNameLength} characters", nameof(value));
            }

            _sessionName = value;
        }
    }

    /// <summary>A <c>&lt;SessionTypes&gt;&lt;Type name=…&gt;</c> of the application profile; "" is the profile's default.</summary>
    public string SessionType { get; set; } = DefaultSessionType;

    public SessionFlags SessionFlags { get; set; } = SessionFlags.PartialAsync;

    /// <summary>Receives outputs and session errors; required with <see cref="SessionFlags.ReceiveAsync"/>.</summary>
    public SessionCallback? SessionCallback { get; set; }

    /// <summary>Overrides which service of the profile runs the tasks; null keeps the session type's.</summary>
    public string? ServiceName { get; set; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(SessionType);
        if ((SessionFlags & SessionFlags.ReceiveAsync) == 0)
        {
            throw new NotSupportedException("only sessions that receive asynchronously (SessionFlags.ReceiveAsync) are supported");
        }

        if (SessionCallback is null)
        {
            throw new ArgumentException("a session that receives asynchronously needs a SessionCallback", nameof(SessionCallback));
        }
    }
}
