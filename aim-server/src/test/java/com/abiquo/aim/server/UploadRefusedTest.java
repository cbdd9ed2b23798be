package com.abiquo.aim.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.core.config.AimSettings;
import com.abiquo.aim.core.config.AimSettingsReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UploadRefusedTest {
    private static Path folder;
    private static AimServer server;

    @BeforeAll
    static void start() throws Exception {
        folder = Files.createTempDirectory("aimsrv-upload-");
        Path file = SafeConfig.write(folder, "");
        AimSettings settings = AimSettingsReader.read(file);
        var modules = ModuleLoader.load();
        server = new AimServer(ServerSettings.from(settings, folder), settings, folder, modules, 2, BuildInfo.load());
        server.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (folder != null) {
            Tools.run(Path.of("/"), List.of("rm", "-rf", folder.toString()));
        }
    }

    /**
     * buf curl, the client the README shows, uploads from a stdin that never ends (a client still sending when the
     * header is refused). It must get RESOURCE_EXHAUSTED and exit at once; before the fix it stalled after its first
     * flow-control window for as long as it was left running.
     */
    @Test
    void bufCurlStillSendingWhenTheHeaderIsRefusedReturnsAtOnce() throws Exception {
        Path output = folder.resolve("buf-output.txt");
        Process buf = new ProcessBuilder(Tools.buf().toString(), "curl", "--protocol", "grpc",
                "--http2-prior-knowledge", "-d", "@-",
                "http://127.0.0.1:" + server.port() + "/abiquo.aim.v1.RimpService/Upload")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        Thread feeder = new Thread(() -> feedForever(buf.getOutputStream(),
                "{\"header\": {\"path\": \"" + folder.resolve("datastore/big.raw")
                        + "\", \"size_bytes\": 1000000000000000}}\n"), "endless-upload");
        feeder.setDaemon(true);
        feeder.start();
        long started = System.nanoTime();
        // bounded negative check: 20 s is far beyond "at once" (the fixed server answers in well under a second)
        boolean exited = buf.waitFor(20, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (!exited) {
            // the npm wrapper runs the real binary as a child: end both (the streams stay with the feeder thread)
            buf.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            buf.toHandle().destroyForcibly();
            buf.toHandle().onExit().get(10, TimeUnit.SECONDS);
        }
        String answer = Files.readString(output);
        assertTrue(exited, "buf curl still sending after 20 s: " + answer);
        assertEquals(8 * 8, buf.exitValue(), "buf curl exits with 8 x RESOURCE_EXHAUSTED: " + answer);
        assertTrue(answer.contains("resource_exhausted") && answer.contains("uploadMaxBytes"), answer);
        assertTrue(millis < 10_000, "buf curl took " + millis + " ms");
    }

    /** An upload that fails part-way (more bytes than announced) ends the same way for a client still sending. */
    @Test
    void bufCurlStillSendingWhenTheUploadFailsPartWayReturnsAtOnce() throws Exception {
        Path output = folder.resolve("buf-output-2.txt");
        Process buf = new ProcessBuilder(Tools.buf().toString(), "curl", "--protocol", "grpc",
                "--http2-prior-knowledge", "-d", "@-",
                "http://127.0.0.1:" + server.port() + "/abiquo.aim.v1.RimpService/Upload")
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        Thread feeder = new Thread(() -> feedForever(buf.getOutputStream(),
                "{\"header\": {\"path\": \"" + folder.resolve("datastore/small.raw")
                        + "\", \"size_bytes\": 100000}}\n"), "endless-upload");
        feeder.setDaemon(true);
        feeder.start();
        boolean exited = buf.waitFor(20, TimeUnit.SECONDS); // bounded negative check, as above
        if (!exited) {
            buf.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            buf.toHandle().destroyForcibly();
            buf.toHandle().onExit().get(10, TimeUnit.SECONDS);
        }
        String answer = Files.readString(output);
        assertTrue(exited, "buf curl still sending after 20 s: " + answer);
        assertEquals(3 * 8, buf.exitValue(), "buf curl exits with 8 x INVALID_ARGUMENT: " + answer);
        assertFalse(Files.exists(folder.resolve("datastore/small.raw")), "nothing under the final name");
    }

    /** Writes the header, then 64 KiB chunks until the reader goes away. */
    private static void feedForever(OutputStream stdin, String header) {
        String chunk = "{\"chunk\": \"" + Base64.getEncoder().encodeToString(new byte[64 << 10]) + "\"}\n";
        byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
        try (OutputStream in = stdin) {
            in.write(header.getBytes(StandardCharsets.UTF_8));
            while (true) {
                in.write(bytes);
            }
        } catch (IOException readerGone) {
            // buf exited: the pipe is closed
        }
    }
}
