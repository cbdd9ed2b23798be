package com.abiquo.aim.core.config;

import com.abiquo.aim.core.error.FileErrors;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.ini4j.Config;
import org.ini4j.Ini;
import org.ini4j.InvalidFileFormatException;
import org.ini4j.Profile;

/**
 * Reads {@code aim.ini} with ini4j and cleans each value the way a person means it: an inline {@code ; comment} or
 * {@code # comment} after the value is dropped, surrounding quotes are removed, and backslashes are kept as
 * written (ini4j's escape processing and its line continuation are off; paths and URIs contain backslashes).
 */
public final class AimSettingsReader {
    private AimSettingsReader() {
    }

    public static AimSettings read(Path file) throws ConfigException {
        if (file.toString().isEmpty()) {
            throw new ConfigException("no configuration file given (an empty path); name one with -c <file>");
        }
        if (Files.isDirectory(file)) {
            throw new ConfigException(file + ": is a folder, not a configuration file");
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": configuration file not found (or not a regular file)");
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(file.toString(), reader);
        } catch (IOException failure) {
            throw new ConfigException(file + ": cannot be read: " + FileErrors.reason(failure), failure);
        }
    }

    public static AimSettings read(String source, Reader reader) throws ConfigException {
        Config config = new Config();
        config.setEscape(false);
        // a value ending in '\' (a Windows-style folder) must not swallow the next line as a continuation
        config.setEscapeNewline(false);
        // kept, so that a key or section written twice is refused instead of one silently winning
        config.setMultiOption(true);
        config.setMultiSection(true);
        config.setEmptyOption(true);
        config.setGlobalSection(true);
        config.setGlobalSectionName("?");
        Ini ini = new Ini();
        ini.setConfig(config);
        try {
            ini.load(reader);
        } catch (InvalidFileFormatException failure) {
            // ini4j quotes the line, which may hold a URL with a password
            throw new ConfigException(source + ": not an INI file: " + UrlCredentials.mask(failure.getMessage()),
                    failure);
        } catch (IOException failure) {
            throw new ConfigException(source + ": cannot be read: " + FileErrors.reason(failure), failure);
        }
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> sectionSpellings = new LinkedHashMap<>();
        for (String name : ini.keySet()) {
            String earlier = sectionSpellings.putIfAbsent(name.strip().toLowerCase(Locale.ROOT), name);
            if (ini.getAll(name).size() > 1 || earlier != null) {
                throw new ConfigException(source + ": section [" + name.strip() + "] appears more than once; write "
                        + "each section once (which one was meant cannot be told)");
            }
        }
        for (Profile.Section section : ini.values()) {
            Map<String, String> values = new LinkedHashMap<>();
            Map<String, String> keySpellings = new LinkedHashMap<>();
            for (String key : section.keySet()) {
                String earlier = keySpellings.putIfAbsent(key.toLowerCase(Locale.ROOT), key);
                if (section.getAll(key).size() > 1 || earlier != null) {
                    // e.g. a second "tlsClientCa =" further down would silently turn mutual TLS off
                    throw new ConfigException(source + ": [" + section.getName().strip() + "] key \"" + key
                            + "\" is set more than once (keys are case-insensitive); set each key once");
                }
                values.put(key, clean(section.get(key)));
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
