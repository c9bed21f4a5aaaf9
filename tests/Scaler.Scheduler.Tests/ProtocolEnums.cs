// The scheduler's task states, transitions, result and cancel-confirm types are the protocol's own enums
// (common.capnp): one definition, so the state machine, the wire and the monitor can never disagree on an ordinal.
global using TaskCancelConfirmType = Scaler.Protocol.Messages.TaskCancelConfirmType;
global using TaskResultType = Scaler.Protocol.Messages.TaskResultType;
global using TaskState = Scaler.Protocol.Messages.TaskState;
global using TaskTransition = Scaler.Protocol.Messages.TaskTransition;
