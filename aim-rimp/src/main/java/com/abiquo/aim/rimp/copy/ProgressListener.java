package com.abiquo.aim.rimp.copy;

/** Receives progress of a copy from the copying thread; must be quick and never block. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (done, total, rate) -> { };

    /**
     * @param bytesDone data bytes copied so far
     * @param bytesTotal data bytes to copy in total
     * @param bytesPerSecond average rate since the start
     */
    void progress(long bytesDone, long bytesTotal, long bytesPerSecond);
}
