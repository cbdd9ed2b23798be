package com.abiquo.aim.rimp.copy;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A finished copy.
 *
 * @param copiedBytes data bytes moved (0 for a clone, a rename or a kept instance)
 * @param allocatedBytes bytes of data extents at the destination
 * @param sha256 lower-case hex digest of the copy, empty unless verification was asked
 * @param sha256ComparedWith "sidecar" or "source" when verified, empty otherwise
 */
public record CopyOutcome(Path path, CopyMethod method, long sizeBytes, long copiedBytes, long allocatedBytes,
                          Duration duration, String sha256, String sha256ComparedWith) {
}
