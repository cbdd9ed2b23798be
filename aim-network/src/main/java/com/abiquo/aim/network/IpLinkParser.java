package com.abiquo.aim.network;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the output of {@code ip -json -details link show}. Pure (text in, values out) so it is tested against
 * captured output of real kernels; lenient about fields that iproute2 versions add or drop.
 */
final class IpLinkParser {
    private IpLinkParser() {
    }

    /** @throws IllegalArgumentException when the text is not the JSON array iproute2 prints */
    static List<LinkInfo> parse(String json) {
        String text = json.strip();
        if (text.isEmpty()) {
            return List.of();
        }
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException malformed) {
            throw new IllegalArgumentException("ip -json printed something that is not JSON: "
                    + malformed.getMessage(), malformed);
        }
        if (!root.isJsonArray()) {
            throw new IllegalArgumentException("ip -json printed a " + root.getClass().getSimpleName()
                    + " where a list of links was expected");
        }
        List<LinkInfo> links = new ArrayList<>();
        for (JsonElement element : root.getAsJsonArray()) {
            if (element.isJsonObject() && !string(element.getAsJsonObject(), "ifname").isEmpty()) {
                links.add(link(element.getAsJsonObject()));
            }
        }
        return List.copyOf(links);
    }

    private static LinkInfo link(JsonObject object) {
        List<String> flags = new ArrayList<>();
        JsonElement flagArray = object.get("flags");
        if (flagArray != null && flagArray.isJsonArray()) {
            for (JsonElement flag : (JsonArray) flagArray) {
                if (flag.isJsonPrimitive()) {
                    flags.add(flag.getAsString());
                }
            }
        }
        String kind = "";
        int vlanId = 0;
        String protocol = "";
        JsonObject linkInfo = object(object, "linkinfo");
        if (linkInfo != null) {
            kind = string(linkInfo, "info_kind");
            JsonObject data = object(linkInfo, "info_data");
            if ("vlan".equals(kind) && data != null) {
                vlanId = integer(data, "id");
                protocol = string(data, "protocol");
            }
        }
        return new LinkInfo(string(object, "ifname"), kind, string(object, "master"), string(object, "link"),
                vlanId, protocol, flags.contains("UP"), string(object, "operstate"), integer(object, "mtu"), flags);
    }

    private static JsonObject object(JsonObject parent, String field) {
        JsonElement value = parent.get(field);
        return value != null && value.isJsonObject() ? value.getAsJsonObject() : null;
    }

    private static String string(JsonObject parent, String field) {
        JsonElement value = parent.get(field);
        return value != null && value.isJsonPrimitive() ? value.getAsString() : "";
    }

    private static int integer(JsonObject parent, String field) {
        JsonElement value = parent.get(field);
        try {
            return value != null && value.isJsonPrimitive() ? value.getAsInt() : 0;
        } catch (NumberFormatException notANumber) {
            return 0;
        }
    }
}
