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
                        .append(" | ").append(markdownText(key.description())).append(" |\n");
            }
            text.append('\n');
        }
        return text.toString();
    }

    /**
     * A complete aim.ini: every section, every key commented out at its default with its meaning above it. The
     * shipped production file (dist/src/conf/aim.ini) is this output.
     */
    static String defaultIni(ConfigSchema schema) {
        StringBuilder text = new StringBuilder("""
                ; aim.ini: configuration of AIM, the Abiquo node agent (abiquo-aim).
                ;
                ; Syntax: INI. Values may be quoted ("qemu:///system") and may carry an inline "; comment".
                ; Booleans accept true/false/yes/no/on/off/1/0 in any case (FALSE is fine); keys are case-insensitive.
                ; Relative paths are taken relative to the folder of this file. An unknown section or key stops AIM
                ; at start-up with a message naming it. "abiquo-aim --check-config -c <file>" checks a file.
                ; Every key below is commented out: the value shown is its default.
                ;
                ; Production nodes should listen with mutual TLS: set [server] tlsCertificate, tlsKey and
                ; tlsClientCa (the controllers' CA); without TLS beyond 127.0.0.1 AIM logs a loud warning.
                """);
        for (String section : schema.sectionNames()) {
            text.append("\n[").append(section).append("]\n");
            for (ConfigKey key : schema.keys(section)) {
                if (key.isObsolete()) {
                    continue; // accepted from the original AIM's files, never suggested
                }
                text.append("; ").append(key.description()).append('\n');
                text.append(';').append(key.name()).append(" =")
                        .append(key.defaultValue().isEmpty() ? "" : " " + key.defaultValue()).append('\n');
            }
        }
        return text.toString();
    }

    private static String markdownText(String text) {
        return text.replace("|", "\\|").replace("<", "\\<").replace(">", "\\>");
    }
}
