package com.abiquo.aim.rimp;

import com.abiquo.aim.core.error.ErrorReason;

/**
 * The reasons aim-rimp (the Rimp service) raises in a failure's {@code google.rpc.ErrorInfo}. Each is documented, with
 * its gRPC code and what a client should do, in the protos (RimpErrorReason in rimp.proto); ErrorReasonCatalogueTest
 * checks that every constant is listed there.
 */
public enum RimpErrorReason implements ErrorReason {
    ACCESS_DENIED,
    BACKUP_FOLDER_INVALID,
    BACKUP_IS_FOLDER,
    BAD_CHECKSUM_FILE,
    CANCELLED,
    CHECKSUM_MISMATCH,
    COPY_LIMIT_REACHED,
    DATASTORE_FOLDER_NOT_FOUND,
    DATASTORE_NOT_FOUND,
    DESTINATION_BUSY,
    DESTINATION_EXISTS,
    INSTANCE_IS_FOLDER,
    INSTANCE_IS_LINK,
    INVALID_SHA256,
    IO_ERROR,
    NOT_A_FILE,
    NO_SPACE,
    PATH_EXISTS,
    PATH_IS_LINK,
    PATH_NOT_FOUND,
    READ_ONLY_FILE_SYSTEM,
    REPOSITORY_UNUSABLE,
    SOURCE_CHANGED,
    UPLOAD_ABORTED,
    UPLOAD_HEADER_MISSING,
    UPLOAD_HEADER_REPEATED,
    UPLOAD_SIZE_MISMATCH,
    UPLOAD_TOO_LARGE,
    ;
}
