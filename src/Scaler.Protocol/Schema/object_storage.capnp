# Scaler.NET wire schema: headers of the object storage protocol.
# Every header frame is a whole message whose root is one of the two header structs.
@0xa828328f73c702b9;

struct ObjectID {
  field0 @0 :UInt64;
  field1 @1 :UInt64;
  field2 @2 :UInt64;
  field3 @3 :UInt64;
}

struct ObjectRequestHeader {
  enum ObjectRequestType {
    setObject @0;
    getObject @1;
    deleteObject @2;
    duplicateObjectID @3;
    infoGetTotal @4;
  }

  objectID @0 :ObjectID;
  payloadLength @1 :UInt64;
  requestID @2 :UInt64;
  requestType @3 :ObjectRequestType;
}

struct ObjectResponseHeader {
  enum ObjectResponseType {
    setOK @0;
    getOK @1;
    delOK @2;
    delNotExists @3;
    duplicateOK @4;
    infoGetTotalOK @5;
  }

  objectID @0 :ObjectID;
  payloadLength @1 :UInt64;
  responseID @2 :UInt64;
  responseType @3 :ObjectResponseType;
}
