package com.abiquo.aim.server;

import com.abiquo.aim.core.config.ConfigKey;
import com.abiquo.aim.core.config.ConfigSchema;

/** The config reference as Markdown, generated from the schemas so that it never drifts from the code. */
final class ConfigReference {
    private ConfigReference() {
    }

    static String markdown(ConfigSchema schema) {
        StringBuilder text = new StringBuilder();
        for (String section : schema.sectionNames()) {
            text.append("### [").append(section).append("]\n\n");
            text.append("| key | default | meaning |\n|---|---|---|\n");
            for (ConfigKey key : schema.keys(section)) {
                text.append("| `").append(key.name()).append("` | ")
                        .append(key.defaultValue().isEmpty() ? "(empty)" : "`" + key.defaultValue() + "`")
                        .append(" | ").append(key.description().replace("|", "\\|")).append(" |\n");
            }
            text.append('\n');
        }
        return text.toString();
    }
}
