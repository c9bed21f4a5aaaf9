using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Ibm;

/// <summary>Our <see cref="ISoamConnection"/> over IBM's <c>Connection</c>.</summary>
internal sealed class IbmSoamConnection : ISoamConnection
{
    private readonly IbmSoamApi _api;
    private readonly object _native;

    public IbmSoamConnection(IbmSoamApi api, object native)
    {
        _api = api;
        _native = native;
        Id = IbmMembers.GetString(native, "Id");
    }

    public string Id { get; }

    public ISoamSession CreateSession(SessionCreationAttributes attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        attributes.Validate();
        var callback = attributes.SessionCallback!;
        var native = _api.NewObject("SessionCreationAttributes");
        IbmMembers.Set(native, "SessionName", attributes.SessionName);
        IbmMembers.Set(native, "SessionType", attributes.SessionType);
        IbmMembers.Set(native, "SessionFlags", _api.MapFlags(attributes.SessionFlags));
        if (attributes.ServiceName is { } serviceName)
        {
            IbmMembers.Set(native, "ServiceName", serviceName);
        }

        // IBM's .NET SessionCallback is sealed with events: wire them before the session exists.
        var nativeCallback = _api.NewObject("SessionCallback");
        var sessionHolder = new IbmSessionEvents(_api, callback);
        IbmSoamApi.Subscribe(nativeCallback, "OnResponse", sessionHolder.OnResponse);
        IbmSoamApi.Subscribe(nativeCallback, "OnException", sessionHolder.OnException);
        if (!IbmMembers.TrySet(native, "SessionCallback", nativeCallback) && !IbmMembers.TrySet(native, "Callback", nativeCallback))
        {
            throw new SoamException("IBM's SessionCreationAttributes has no SessionCallback property or SetSessionCallback method");
        }

        var session = IbmMembers.Invoke(_native, "CreateSession", native)
            ?? throw new SoamException("IBM's Connection.CreateSession returned null");
        return new IbmSoamSession(_api, session);
    }

    public void Close() => IbmMembers.Invoke(_native, "Close");

    public void Dispose() => Close();
}
