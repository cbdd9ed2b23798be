package com.abiquo.aim.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NodeFileTextTest {
    @Test
    void decodesUtf8AsSuchAndKeepsOtherBytesAsEscapes() {
        byte[] bytes = "# r\u00e9seau \u20ac\nDEVICE=eth0\n".getBytes(StandardCharsets.UTF_8);
        assertEquals("# r\u00e9seau \u20ac\nDEVICE=eth0\n", NodeFileText.decode(bytes));
        assertFalse(NodeFileText.hasUndecodable(NodeFileText.decode(bytes)));

        String latin1 = NodeFileText.decode("# r\u00e9seau\nDEVICE=eth0\n".getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(latin1.endsWith("\nDEVICE=eth0\n"), latin1);
        assertTrue(NodeFileText.hasUndecodable(latin1));
        assertFalse(NodeFileText.hasUndecodable("DEVICE=eth0"));
    }

    @Test
    void anyBytesComeBackUnchanged() {
        Random random = new Random(42);
        for (int round = 0; round < 2000; round++) {
            byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes);
            assertArrayEquals(bytes, NodeFileText.encode(NodeFileText.decode(bytes)), "round " + round);
        }
        byte[] tricky = {(byte) 0xED, (byte) 0xB2, (byte) 0x80, (byte) 0xE2, (byte) 0x82, 'A', (byte) 0xF0};
        assertArrayEquals(tricky, NodeFileText.encode(NodeFileText.decode(tricky)));
    }
}
