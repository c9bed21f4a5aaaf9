# Scaler.NET wire schema: status reports carried by the scheduler's state messages.
@0xe6739fb5de532d46;

struct Resource {
  cpu @0 :UInt16;  # per mille of one core
  rss @1 :UInt64;  # bytes
}

struct ObjectManagerStatus {
  numberOfObjects @0 :UInt32;
}

struct ClientManagerStatus {
  struct Pair {
    client @0 :Data;
    numTask @1 :UInt32;
  }

  clientToNumOfTask @0 :List(Pair);
}

struct TaskManagerStatus {
  struct Pair {
    state @0 :UInt8;
    count @1 :UInt32;
  }

  stateToCount @0 :List(Pair);
}

struct ProcessorStatus {
  pid @0 :UInt32;
  initialized @1 :Bool;
  hasTask @2 :Bool;
  suspended @3 :Bool;
  resource @4 :Resource;
}

struct WorkerStatus {
  workerId @0 :Data;
  agent @1 :Resource;
  rssFree @2 :UInt64;
  free @3 :UInt32;
  sent @4 :UInt32;
  queued @5 :UInt32;
  suspended @6 :UInt8;
  lagUS @7 :UInt64;
  lastS @8 :UInt16;
  itl @9 :Text;
  processorStatuses @10 :List(ProcessorStatus);
  memLimit @11 :UInt64;  # bytes, 0 when unknown
}

struct WorkerManagerStatus {
  workers @0 :List(WorkerStatus);
}

struct ScalingManagerStatus {
  struct Pair {
    workerManagerID @0 :Data;
    workerIDs @1 :List(Data);
  }

  struct WorkerManagerDetail {
    workerManagerID @0 :Data;
    identity @1 :Text;
    lastSeenS @2 :UInt16;
    maxTaskConcurrency @3 :UInt32;
    capabilities @4 :Text;
    pendingWorkers @5 :UInt32;
  }

  managedWorkers @0 :List(Pair);
  workerManagerDetails @1 :List(WorkerManagerDetail);
}

struct BinderStatus {
  struct Pair {
    client @0 :Text;
    number @1 :UInt32;
  }

  received @0 :List(Pair);
  sent @1 :List(Pair);
}
