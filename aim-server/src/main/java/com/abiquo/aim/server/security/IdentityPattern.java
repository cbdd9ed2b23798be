package com.abiquo.aim.server.security;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One pattern of [authorization] readers or operators: the identity written out, where {@code *} matches any run of
 * characters (none included); everything else matches itself exactly, case included.
 */
public final class IdentityPattern {
    private final String text;
    private final Pattern regex;

    public IdentityPattern(String text) {
        this.text = requireNonNull(text, "text is null");
        if (text.isBlank()) {
            throw new IllegalArgumentException("an identity pattern cannot be empty");
        }
        this.regex = regex(text);
    }

    public boolean matches(String identity) {
        return regex.matcher(identity).matches();
    }

    private static Pattern regex(String text) {
        StringBuilder regex = new StringBuilder();
        for (String literal : text.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(literal));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    /**
     * The patterns of one aim.ini value: separated by commas; a comma inside a pattern (a subject DN such as
     * {@code CN=controller,O=Abiquo}) is written {@code \,}.
     */
    public static List<IdentityPattern> parseList(String value) {
        List<IdentityPattern> patterns = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length() && value.charAt(i + 1) == ',') {
                current.append(',');
                i++;
            } else if (c == ',') {
                add(patterns, current);
            } else {
                current.append(c);
            }
        }
        add(patterns, current);
        return List.copyOf(patterns);
    }

    private static void add(List<IdentityPattern> patterns, StringBuilder current) {
        String item = current.toString().strip();
        if (!item.isEmpty()) {
            patterns.add(new IdentityPattern(item));
        }
        current.setLength(0);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IdentityPattern pattern && pattern.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
