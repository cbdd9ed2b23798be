package com.abiquo.aim.client;

/** Progress of a copy or upload: bytes done of the total, and the current rate (bytes per second). */
@FunctionalInterface
public interface CopyProgressListener {
    void onProgress(long bytesDone, long bytesTotal, long bytesPerSecond);

    static CopyProgressListener none() {
        return (done, total, rate) -> {
        };
    }
}
