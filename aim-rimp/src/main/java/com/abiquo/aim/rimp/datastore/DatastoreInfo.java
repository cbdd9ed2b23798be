package com.abiquo.aim.rimp.datastore;

import java.nio.file.Path;

/** A datastore as GetDatastores reports it; sizes in bytes; uuid empty when no mark could be made. */
public record DatastoreInfo(String uuid, String device, Path path, String type, long totalBytes, long usableBytes,
                            boolean readOnly) {
}
