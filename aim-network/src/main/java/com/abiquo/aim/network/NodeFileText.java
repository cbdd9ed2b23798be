package com.abiquo.aim.network;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The text of a node's network file, decoded so that no byte is lost. People and tools write ifcfg files (and
 * sometimes keyfiles) in any 8-bit encoding: a Latin-1 comment must not make the file, or the whole listing,
 * unreadable. Valid UTF-8 is decoded as such (the keys and names AIM needs stay exact); each byte that is not part
 * of valid UTF-8 becomes one lone surrogate U+DC80..U+DCFF (the "surrogateescape" scheme), which no interface name
 * accepts and which {@link #encode} turns back into the same byte. So a file read and written back (a rollback)
 * keeps its bytes.
 */
final class NodeFileText {
    private static final int ESCAPE_BASE = 0xDC00;

    private NodeFileText() {
    }

    static String decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);   // never more chars than bytes, escapes included
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isUnderflow()) {
                break;
            }
            for (int i = 0; i < result.length(); i++) {
                out.put(escape(in.get()));
            }
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    static byte[] encode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        text.codePoints().forEach(codePoint -> {
            if (isEscape(codePoint)) {
                out.write(codePoint - ESCAPE_BASE);
            } else {
                out.writeBytes(Character.toString(codePoint).getBytes(StandardCharsets.UTF_8));
            }
        });
        return out.toByteArray();
    }

    /** Whether the text holds bytes that were not UTF-8 (a value with them cannot be a name AIM uses). */
    static boolean hasUndecodable(String text) {
        return text.codePoints().anyMatch(NodeFileText::isEscape);
    }

    private static char escape(byte undecodable) {
        int value = undecodable & 0xFF;
        // UTF-8's decoder only reports bytes from 0x80 up as malformed; an ASCII byte is kept as itself anyway
        return (char) (value < 0x80 ? value : ESCAPE_BASE + value);
    }

    private static boolean isEscape(int codePoint) {
        return codePoint >= ESCAPE_BASE + 0x80 && codePoint <= ESCAPE_BASE + 0xFF;
    }
}
