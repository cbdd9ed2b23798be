package com.abiquo.aim.core.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.StringReader;

/**
 * Fuzzes the aim.ini reader (ini4j under AIM's settings): whatever bytes an operator's file holds, reading it
 * either gives settings or a {@link ConfigException} naming the problem, never another exception (which would stop
 * the agent with a stack trace instead of a line saying what to fix). Seeds: {@code AimIniReaderFuzzTestInputs}.
 */
class AimIniReaderFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void anyFileIsSettingsOrAConfigException(byte[] input) {
        String text = new String(input, java.nio.charset.StandardCharsets.UTF_8);
        try {
            AimSettings settings = AimSettingsReader.read("fuzz.ini", new StringReader(text));
            if (settings == null) {
                throw new AssertionError("the reader returned null for " + text);
            }
        } catch (ConfigException refused) {
            if (refused.getMessage() == null || !refused.getMessage().startsWith("fuzz.ini")) {
                throw new AssertionError("a refusal that does not name the file: " + refused.getMessage(), refused);
            }
        }
    }
}
