package com.abiquo.aim.storage;

import com.abiquo.aim.core.error.ErrorReason;

/**
 * The reasons aim-storage (the Storage service) raises in a failure's {@code google.rpc.ErrorInfo}. Each is documented,
 * with its gRPC code and what a client should do, in the protos (StorageErrorReason in storage.proto);
 * ErrorReasonCatalogueTest checks that every constant is listed there.
 */
public enum StorageErrorReason implements ErrorReason {
    INVALID_POOL_KIND,
    ISCSI_DISCOVERY_FAILED,
    NO_INITIATOR_AVAILABLE,
    NO_TARGETS,
    SYSFS_UNREADABLE,
    TARGET_NOT_KNOWN,
    ;
}
