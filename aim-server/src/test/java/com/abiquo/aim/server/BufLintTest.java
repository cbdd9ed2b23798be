package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The contracts pass buf's STANDARD lint rules (aim-proto/buf.yaml). */
class BufLintTest {
    @Test
    void protoFilesPassBufLint() throws Exception {
        Tools.Result lint = Tools.buf("lint", "aim-proto");
        assertEquals(0, lint.exitCode(), "buf lint aim-proto found:\n" + lint.output());
        assertEquals("", lint.output().strip());
    }
}
