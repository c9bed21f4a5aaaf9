# Scaler.NET wire schema: shared enums and small structs.
# Names, ordinals and types are fixed by the wire format; see docs/protocol.md.
@0xdb165af070492de3;

enum TaskResultType {
  success @0;
  failed @1;
  failedWorkerDied @2;
}

enum TaskCancelConfirmType {
  canceled @0;
  cancelFailed @1;
  cancelNotFound @2;
}

enum TaskTransition {
  hasCapacity @0;
  taskResultSuccess @1;
  taskResultFailed @2;
  taskResultWorkerDied @3;
  taskCancel @4;
  taskCancelConfirmCanceled @5;
  taskCancelConfirmFailed @6;
  taskCancelConfirmNotFound @7;
  balanceTaskCancel @8;
  workerDisconnect @9;
  schedulerHasTask @10;
  schedulerHasNoTask @11;
}

enum TaskState {
  inactive @0;
  running @1;
  canceling @2;
  balanceCanceling @3;
  success @4;
  failed @5;
  failedWorkerDied @6;
  canceled @7;
  canceledNotFound @8;
  balanceCanceled @9;
  workerDisconnecting @10;
}

enum WorkerState {
  connected @0;
  disconnected @1;
}

# A named quantity a worker offers or a task needs; value -1 means "present, no quantity".
struct TaskCapability {
  name @0 :Text;
  value @1 :Int64;
}

struct ObjectMetadata {
  enum ObjectContentType {
    serializer @0;
    object @1;
  }

  objectIds @0 :List(Data);
  objectTypes @1 :List(ObjectContentType);
  objectNames @2 :List(Data);
}

struct ObjectStorageAddress {
  host @0 :Text;
  port @1 :UInt16;
  scheme @2 :Text;
}
