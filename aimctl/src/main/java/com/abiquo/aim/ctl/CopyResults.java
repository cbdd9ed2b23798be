package com.abiquo.aim.ctl;

import com.abiquo.aim.v1.RimpCopyResult;
import com.google.protobuf.util.Durations;

/** A finished copy, as JSON or one line. */
final class CopyResults {
    private CopyResults() {
    }

    static void print(Output output, RimpCopyResult result) {
        if (output.json()) {
            output.json(result);
            return;
        }
        output.line(result.getPath() + ": " + Bytes.human(result.getSizeBytes()) + " ("
                + Output.shortName(result.getMethod(), "RIMP_COPY_METHOD_") + ", "
                + Durations.toString(result.getDuration()) + ")"
                + (result.getSha256().isEmpty() ? "" : ", sha256 " + result.getSha256()));
    }
}
