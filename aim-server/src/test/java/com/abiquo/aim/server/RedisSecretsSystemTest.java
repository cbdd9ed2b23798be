package com.abiquo.aim.server;

import static com.abiquo.aim.testing.Waits.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.abiquo.aim.testing.PrivateRedis;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No user name or password of a Redis URL reaches AIM's output, whatever the URL's shape and whatever goes wrong: a
 * refused configuration (--check-config and a start), a refused login, a Redis that went away. Each setting gets a
 * secret of its own, and the whole output (log, standard output and error) is searched for all of them.
 */
@Tag("system")
class RedisSecretsSystemTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String USER = "user" + secret();
    private static final String PASSWORD = "pass" + secret();
    private static final String ALONE = "alone" + secret();

    @TempDir
    Path folder;

    private static String secret() {
        return "S3cret" + UUID.randomUUID().toString().substring(0, 8);
    }

    private Path config(String eventbusUrl, String monitorLines) throws Exception {
        Path file = SafeConfig.write(folder, "");
        String text = Files.readString(file).replace("[monitor]\n", "[monitor]\n" + monitorLines);
        Files.writeString(file, text + "\n[eventbus]\nurl = " + eventbusUrl + "\n");
        return file;
    }

    private static void assertNoSecret(String output) {
        for (String secret : List.of(USER, PASSWORD, ALONE)) {
            assertFalse(output.contains(secret), "a secret in the output:\n" + output);
        }
    }

    /** Output and status of AimMain run in this JVM, its log included. */
    private static String runRefused(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (LogCapture log = new LogCapture()) {
            int status = AimMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
            String all = out + "\n" + err + "\n" + log.text();
            assertEquals(1, status, all);
            return all;
        }
    }

    @Test
    void aRefusedConfigurationNamesTheProblemWithoutTheLogin() throws Exception {
        String[][] cases = {
            {"redis://" + ALONE + "@127.0.0.1:6399/0", "", "holds a user name without a password"},
            {"redis://:pa#" + PASSWORD + "@127.0.0.1", "", "percent-encode it"},
            {"redis://" + USER + ":pa/" + PASSWORD + "@127.0.0.1", "", "percent-encode it"},
            {"redis://" + USER + ":" + PASSWORD + "@127.0.0.1:notaport", "", "the port \"notaport\" is not a number"},
            {"redis://:" + PASSWORD + "@bad host;x", "", "the host \"bad host;x\" is not a host name"},
            {"", "redisHost = " + ALONE + "@127.0.0.1\n", "[monitor] redisHost is not a host name"},
            {"", "redisHost = redis://" + USER + ":" + PASSWORD + "@127.0.0.1\n", "redisHost is not a host name"},
        };
        for (String[] bad : cases) {
            Path file = config(bad[0], bad[1]);
            for (boolean checkOnly : new boolean[] {true, false}) {
                String output = checkOnly ? runRefused("-c", file.toString(), "--check-config")
                        : runRefused("-c", file.toString(), "-t", "1");
                assertTrue(output.contains(bad[2]), bad[2] + " missing in:\n" + output);
                assertNoSecret(output);
            }
        }
    }

    @Test
    void aRefusedLoginAndALostRedisAreReportedWithoutTheLogin() throws Exception {
        try (PrivateRedis redis = new PrivateRedis(false, "--requirepass", "the-right-one").start();
             PrivateRedis absent = new PrivateRedis(false)) { // never started: its port refuses connections
            Path file = config("redis://" + USER + ":" + PASSWORD + "@127.0.0.1:" + redis.port() + "/0",
                    "redisHost = 127.0.0.1\nredisPort = " + absent.port() + "\n");
            try (EventBusProcess aim = new EventBusProcess(file)) {
                await("a refused login", WAIT, () -> aim.output().contains("refused the login"));
                await("the legacy publisher's refused connection", WAIT,
                        () -> aim.output().contains("cannot connect to 127.0.0.1:" + absent.port()));
                redis.kill();
                await("the lost Redis", WAIT,
                        () -> aim.output().contains("cannot connect to 127.0.0.1:" + redis.port()));
                assertNoSecret(aim.output());
            }
        }
    }
}
