package com.abiquo.aim.rimp.copy;

/** How an image reached its destination (mirrors RimpCopyMethod of the API). */
public enum CopyMethod {
    /** FICLONE: the file system shares the extents. */
    REFLINK,
    /** copy_file_range of the data extents only. */
    SPARSE_COPY,
    /** sendfile of the data extents only, where copy_file_range refuses. */
    SENDFILE_COPY,
    /** A rename: a backup moved back, or a rename inside one file system. */
    RENAMED,
    /** Nothing done: an existing instance was kept. */
    KEPT_EXISTING
}
