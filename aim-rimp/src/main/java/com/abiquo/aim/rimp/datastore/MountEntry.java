package com.abiquo.aim.rimp.datastore;

import java.util.Set;

/** One line of the mount table: device (or export), mount point, file system type and options. */
public record MountEntry(String device, String mountPoint, String type, Set<String> options) {
    public MountEntry {
        options = Set.copyOf(options);
    }

    public boolean readOnly() {
        return options.contains("ro");
    }
}
