package com.abiquo.aim.core.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ini4j.Config;
import org.ini4j.Ini;
import org.ini4j.InvalidFileFormatException;
import org.ini4j.Profile;

/**
 * Reads {@code aim.ini} with ini4j and cleans each value the way a person means it: an inline {@code ; comment} or
 * {@code # comment} after the value is dropped, surrounding quotes are removed, and backslashes are kept as
 * written (ini4j's escape processing is off; paths and URIs contain them).
 */
public final class AimSettingsReader {
    private AimSettingsReader() {
    }

    public static AimSettings read(Path file) throws ConfigException {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": configuration file not found (or not a regular file)");
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(file.toString(), reader);
        } catch (IOException failure) {
            throw new ConfigException(file + ": cannot be read: " + failure.getMessage(), failure);
        }
    }

    public static AimSettings read(String source, Reader reader) throws ConfigException {
        Config config = new Config();
        config.setEscape(false);
        config.setMultiOption(false);
        config.setMultiSection(false);
        config.setEmptyOption(true);
        config.setGlobalSection(true);
        config.setGlobalSectionName("?");
        Ini ini = new Ini();
        ini.setConfig(config);
        try {
            ini.load(reader);
        } catch (InvalidFileFormatException failure) {
            throw new ConfigException(source + ": not an INI file: " + failure.getMessage(), failure);
        } catch (IOException failure) {
            throw new ConfigException(source + ": cannot be read: " + failure.getMessage(), failure);
        }
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        for (Profile.Section section : ini.values()) {
            Map<String, String> values = new LinkedHashMap<>();
            for (Map.Entry<String, String> option : section.entrySet()) {
                values.put(option.getKey(), clean(option.getValue()));
            }
            if ("?".equals(section.getName())) {
                if (!values.isEmpty()) {
                    throw new ConfigException(source + ": key \"" + values.keySet().iterator().next()
                            + "\" stands before any [section]; every key belongs to a section such as [server]");
                }
                continue;
            }
            sections.put(section.getName().strip(), values);
        }
        return new AimSettings(source, sections);
    }

    /** Drops an inline comment (a ';' or '#' after white space, outside quotes) and surrounding quotes. */
    static String clean(String value) {
        if (value == null) {
            return "";
        }
        String text = value.strip();
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if ((c == ';' || c == '#') && (i == 0 || Character.isWhitespace(text.charAt(i - 1)))) {
                text = text.substring(0, i).strip();
                break;
            }
        }
        if (text.length() >= 2 && (text.charAt(0) == '"' || text.charAt(0) == '\'')
                && text.charAt(text.length() - 1) == text.charAt(0)) {
            text = text.substring(1, text.length() - 1);
        }
        return text;
    }
}
