package com.abiquo.aim.network;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Fuzzes the reader of {@code ip -json -details link show}: whatever an iproute2 version prints (or a broken one),
 * the parser gives links or refuses with IllegalArgumentException, which the VLAN service turns into its own
 * status; any other exception would reach the client as INTERNAL. Every link it gives has a name. Seeds: output
 * captured from real kernels ({@code ip-json/}) and odd shapes.
 */
class IpLinkParserFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void anyOutputIsLinksOrIllegalArgument(byte[] input) {
        String output = new String(input, StandardCharsets.UTF_8);
        List<LinkInfo> links;
        try {
            links = IpLinkParser.parse(output);
        } catch (IllegalArgumentException refused) {
            return;
        }
        for (LinkInfo link : links) {
            if (link.name() == null || link.name().isEmpty() || link.flags() == null) {
                throw new AssertionError("a link without a name or flags from " + output + ": " + link);
            }
        }
    }
}
