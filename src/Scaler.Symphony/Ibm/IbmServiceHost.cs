using System.Reflection;
using System.Reflection.Emit;
using Scaler.Symphony.Soam;

namespace Scaler.Symphony.Ibm;

/// <summary>
/// Runs one of our <see cref="ServiceContainer"/>s as a service instance under IBM Symphony: IBM's
/// <c>ServiceContainer</c> is an abstract class, so a subclass is emitted at run time whose overrides
/// (<c>OnCreateService</c>, <c>OnSessionEnter</c>, <c>OnInvoke</c>, <c>OnSessionLeave</c>, <c>OnDestroyService</c>)
/// forward to ours, and IBM's <c>Run()</c> is called on it (it blocks while the SIM needs the instance).
/// Task input and output travel in IBM's <c>DefaultByteArrayMessage</c>. Our <see cref="FatalException"/> becomes
/// IBM's FatalException; any other exception becomes IBM's FailureException (retried by the profile).
/// </summary>
public static class IbmServiceHost
{
    private static readonly string[] Handlers = ["OnCreateService", "OnSessionEnter", "OnInvoke", "OnSessionLeave", "OnDestroyService"];

    public static void Run(IbmSoamApi api, ServiceContainer service)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(service);
        var bridge = new Bridge(api, service);
        var type = EmitSubclass(api.TypeOf("ServiceContainer"));
        type.GetField("Handler")!.SetValue(null, new Action<string, object?>(bridge.Dispatch));
        var container = Activator.CreateInstance(type)!;
        IbmMembers.Invoke(container, "Run");
    }

    private static Type EmitSubclass(Type baseType)
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("Scaler.Symphony.IbmService." + Guid.NewGuid().ToString("N")), AssemblyBuilderAccess.Run);
        var module = assembly.DefineDynamicModule("main");
        var builder = module.DefineType("ScalerServiceContainer", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, baseType);
        var handler = builder.DefineField("Handler", typeof(Action<string, object?>), FieldAttributes.Public | FieldAttributes.Static);
        builder.DefineDefaultConstructor(MethodAttributes.Public);
        var invoke = typeof(Action<string, object?>).GetMethod("Invoke")!;
        var overridable = baseType.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            .Where(m => m.IsVirtual && !m.IsFinal && Handlers.Contains(m.Name, StringComparer.Ordinal) && m.GetParameters().Length <= 1 && m.ReturnType == typeof(void));
        foreach (var method in overridable)
        {
            var parameters = method.GetParameters().Select(p => p.ParameterType).ToArray();
            var attributes = (method.Attributes & MethodAttributes.MemberAccessMask) | MethodAttributes.Virtual | MethodAttributes.HideBySig;
            var body = builder.DefineMethod(method.Name, attributes, typeof(void), parameters);
            var il = body.GetILGenerator();
            il.Emit(OpCodes.Ldsfld, handler);
            il.Emit(OpCodes.Ldstr, method.Name);
            if (parameters.Length == 1)
            {
                il.Emit(OpCodes.Ldarg_1);
                if (parameters[0].IsValueType)
                {
                    il.Emit(OpCodes.Box, parameters[0]);
                }
            }
            else
            {
                il.Emit(OpCodes.Ldnull);
            }

            il.Emit(OpCodes.Callvirt, invoke);
            il.Emit(OpCodes.Ret);
            builder.DefineMethodOverride(body, method);
        }

        return builder.CreateType();
    }

    private sealed class Bridge
    {
        private readonly IbmSoamApi _api;
        private readonly ServiceContainer _service;
        private string _sessionId = string.Empty;

        public Bridge(IbmSoamApi api, ServiceContainer service)
        {
            _api = api;
            _service = service;
        }

        public void Dispatch(string handler, object? native)
        {
            switch (handler)
            {
                case "OnCreateService":
                    _service.OnCreateService(new ServiceContext(
                        IbmMembers.TryGetString(native, "ApplicationName") ?? string.Empty,
                        IbmMembers.TryGetString(native, "ServiceName") ?? string.Empty));
                    break;
                case "OnSessionEnter":
                    _sessionId = IbmMembers.TryGetString(native, "SessionId") ?? string.Empty;
                    _service.OnSessionEnter(new SessionContext(_sessionId));
                    break;
                case "OnInvoke":
                    Invoke(native ?? throw new SoamException("IBM called OnInvoke without a TaskContext"));
                    break;
                case "OnSessionLeave":
                    _service.OnSessionLeave();
                    break;
                case "OnDestroyService":
                    _service.OnDestroyService();
                    break;
            }
        }

        private void Invoke(object native)
        {
            var message = _api.NewObject("DefaultByteArrayMessage");
            IbmMembers.Invoke(native, "PopulateTaskInput", message);
            var context = new TaskContext(
                IbmMembers.TryGetString(native, "SessionId") ?? _sessionId,
                IbmMembers.TryGetString(native, "TaskId") ?? string.Empty,
                IbmSoamApi.ReadByteArrayMessage(message));
            try
            {
                _service.OnInvoke(context);
            }
            catch (FatalException e)
            {
                throw (Exception)_api.NewObject("FatalException", e.Message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw (Exception)_api.NewObject("FailureException", $"{e.GetType().FullName}: {e.Message}");
            }

            if (context.HasOutput)
            {
                IbmMembers.Invoke(native, "SetTaskOutput", _api.NewByteArrayMessage(context.Output.ToArray()));
            }
        }
    }
}
