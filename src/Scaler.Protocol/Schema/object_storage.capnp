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

  # Scaler.NET only (not in the reference schema): set by a requester that reads a `refused` answer. The reference's
  # peers leave it false and are closed instead of refused, since an ordinal they do not know fails their reader.
  # Fits in the data word of requestType: the header stays 80 bytes.
  acceptsRefusal @4 :Bool;
}

struct ObjectResponseHeader {
  enum ObjectResponseType {
    setOK @0;
    getOK @1;
    delOK @2;
    delNotExists @3;
    duplicateOK @4;
    infoGetTotalOK @5;

    # Scaler.NET only: the request was not carried out; the payload is the reason (UTF-8). Sent only in answer to a
    # request with acceptsRefusal set.
    refused @6;
  }

  objectID @0 :ObjectID;
  payloadLength @1 :UInt64;
  responseID @2 :UInt64;
  responseType @3 :ObjectResponseType;

  # Scaler.NET only: in answers to a request with acceptsRefusal set, the largest object the server accepts (0: not
  # said), so a client refuses a larger set itself instead of sending a payload the server cannot read. UInt32 holds
  # any limit (at most Array.MaxLength) and fits in the data word of responseType: the header stays 80 bytes.
  maxObjectBytes @4 :UInt32;
}
