using System.Linq.Expressions;
using System.Reflection;
using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Ibm;

/// <summary>
/// Backend <c>ibm</c>: IBM's SOAM .NET API (<c>Platform.Symphony.Soam</c>), loaded at run time from a file and
/// driven by reflection, so Scaler builds and runs without it. Member names follow IBM's .NET references (5.x;
/// 7.3.x .NET spellings are unverified): both properties and Get/Set methods are accepted.
/// </summary>
public sealed class IbmSoamApi : ISoamApi
{
    public const string Name = "ibm";

    public const string Namespace = "Platform.Symphony.Soam";

    private static readonly string[] ByteArrayMembers = ["ByteArray", "Data", "Bytes", "Buffer", "Payload", "Value"];

    private readonly Assembly _assembly;

    private IbmSoamApi(Assembly assembly, string assemblyPath)
    {
        _assembly = assembly;
        AssemblyPath = assemblyPath;
    }

    public string BackendName => Name;

    /// <summary>The file IBM's assembly was loaded from.</summary>
    public string AssemblyPath { get; }

    /// <summary>Loads IBM's assembly (in a load context of its own) from <paramref name="assemblyPath"/>.</summary>
    public static IbmSoamApi Load(string assemblyPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(assemblyPath);
        if (!System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported)
        {
            // The native build forwards `worker-manager symphony` to the managed build; this is for a path it did not foresee.
            throw new SoamException(
                $"IBM's SOAM API ({assemblyPath}) is a .NET assembly loaded at run time, which the native build (scaler-native) cannot do; run the Symphony worker manager with scaler-cli");
        }

        var fullPath = Path.GetFullPath(assemblyPath);
        var assembly = new IbmSoamLoadContext(fullPath).LoadFromAssemblyPath(fullPath);
        var api = new IbmSoamApi(assembly, fullPath);
        _ = api.TypeOf("SoamFactory");
        return api;
    }

    public void Initialize() => IbmMembers.InvokeStatic(TypeOf("SoamFactory"), "Initialize");

    public ISoamConnection Connect(string applicationName, ConnectionSecurityCallback securityCallback)
    {
        ArgumentNullException.ThrowIfNull(applicationName);
        ArgumentNullException.ThrowIfNull(securityCallback);
        var callback = IbmMembers.Call(() => Activator.CreateInstance(TypeOf("DefaultSecurityCallback"), securityCallback.UserName, securityCallback.Password));
        var connection = IbmMembers.InvokeStatic(TypeOf("SoamFactory"), "Connect", applicationName, callback)
            ?? throw new SoamException("IBM's SoamFactory.Connect returned null");
        return new IbmSoamConnection(this, connection);
    }

    public void Uninitialize() => IbmMembers.InvokeStatic(TypeOf("SoamFactory"), "Uninitialize");

    public void Dispose()
    {
        // Uninitialize is explicit in SOAM; disposing does not call it twice.
    }

    internal Type TypeOf(string name) =>
        _assembly.GetType($"{Namespace}.{name}")
        ?? throw new SoamException($"IBM's SOAM assembly {AssemblyPath} has no type {Namespace}.{name}");

    internal object NewObject(string typeName, params object?[] arguments) =>
        IbmMembers.Call(() => Activator.CreateInstance(TypeOf(typeName), arguments))
        ?? throw new SoamException($"could not create {Namespace}.{typeName}");

    /// <summary>A <c>DefaultByteArrayMessage</c> holding <paramref name="bytes"/>.</summary>
    internal object NewByteArrayMessage(byte[] bytes)
    {
        var type = TypeOf("DefaultByteArrayMessage");
        if (type.GetConstructor([typeof(byte[])]) is not null)
        {
            return NewObject("DefaultByteArrayMessage", bytes);
        }

        var message = NewObject("DefaultByteArrayMessage");
        if (!ByteArrayMembers.Any(name => IbmMembers.TrySet(message, name, bytes)))
        {
            throw new SoamException($"cannot put bytes into {type.FullName}: no byte[] constructor and none of {string.Join(", ", ByteArrayMembers)} is settable");
        }

        return message;
    }

    internal static byte[] ReadByteArrayMessage(object message)
    {
        foreach (var name in ByteArrayMembers)
        {
            var type = message.GetType();
            if (type.GetProperty(name) is not null || type.GetMethod("Get" + name, Type.EmptyTypes) is not null)
            {
                return IbmMembers.Get(message, name) as byte[] ?? [];
            }
        }

        throw new SoamException($"cannot read bytes from {message.GetType().FullName}: none of {string.Join(", ", ByteArrayMembers)} is readable");
    }

    /// <summary>Maps our flags to IBM's <c>SessionFlags</c> by name (alias names first, then bit by bit).</summary>
    internal object MapFlags(SessionFlags flags)
    {
        var type = TypeOf("SessionFlags");
        string[] aliases = flags switch
        {
            SessionFlags.PartialAsync => ["AliasPartialAsync", "PartialAsync"],
            SessionFlags.SendSync | SessionFlags.ReceiveSync => ["AliasSync", "Sync"],
            _ => [],
        };
        foreach (var alias in aliases)
        {
            if (Enum.GetNames(type).Contains(alias, StringComparer.Ordinal))
            {
                return Enum.Parse(type, alias);
            }
        }

        long value = 0;
        foreach (var bit in new[] { SessionFlags.SendSync, SessionFlags.ReceiveSync, SessionFlags.ReceiveAsync })
        {
            if ((flags & bit) != 0)
            {
                if (!Enum.TryParse(type, bit.ToString(), out var native))
                {
                    throw new SoamException($"IBM's {type.FullName} has no member {bit}");
                }

                value |= Convert.ToInt64(native, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return Enum.ToObject(type, value);
    }

    /// <summary>Subscribes <paramref name="handler"/> to an event of IBM's sealed SessionCallback, whatever its delegate type.</summary>
    internal static void Subscribe(object callback, string eventName, Action<object?> handler)
    {
        var eventInfo = callback.GetType().GetEvent(eventName)
            ?? throw new SoamException($"IBM's {callback.GetType().FullName} has no event {eventName}");
        var handlerType = eventInfo.EventHandlerType!;
        var parameters = handlerType.GetMethod("Invoke")!.GetParameters().Select(p => Expression.Parameter(p.ParameterType, p.Name)).ToArray();
        Expression argument = parameters.Length == 0 ? Expression.Constant(null) : Expression.Convert(parameters[^1], typeof(object));
        var body = Expression.Invoke(Expression.Constant(handler), argument);
        eventInfo.AddEventHandler(callback, Expression.Lambda(handlerType, body, parameters).Compile());
    }
}
