package com.abiquo.aim.core.config;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every problem of one aim.ini, gathered so that AIM refuses a file once, listing all of its unknown keys and bad
 * values in file order: an operator fixes them in one edit instead of one per restart.
 *
 * <p>Readers of settings (the server's and each module's) stop at their first bad value. {@link #collect} runs such
 * a reader again without each key it refused, until it passes, so every independent bad value is found without
 * changing how readers are written.
 */
public final class ConfigProblems {
    private final AimSettings settings;
    private final List<ConfigException> problems = new ArrayList<>();

    /** Reads typed values from settings; throws at the first value it refuses. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(AimSettings settings) throws ConfigException;
    }

    public ConfigProblems(AimSettings settings) {
        this.settings = requireNonNull(settings, "settings is null");
    }

    public void add(ConfigException problem) {
        problems.add(requireNonNull(problem, "problem is null"));
    }

    /**
     * Runs a reader; each time it refuses a key that the file sets, records the refusal and runs it again without
     * that key. A refusal of a key the file does not set (or of no key) is recorded only when nothing was dropped
     * before it: after a drop it may merely follow from the drop ("tlsKey is missing").
     *
     * @return what the reader read, or empty when it refused something
     */
    public <T> Optional<T> collect(Reader<T> reader) {
        AimSettings current = settings;
        boolean dropped = false;
        while (true) {
            try {
                T value = reader.read(current);
                return dropped ? Optional.empty() : Optional.of(value);
            } catch (ConfigException problem) {
                boolean inFile = problem.section().isPresent() && problem.key().isPresent()
                        && current.raw(problem.section().get(), problem.key().get()).isPresent();
                if (inFile || !dropped) {
                    add(problem);
                }
                if (!inFile) {
                    return Optional.empty();
                }
                current = current.without(problem.section().get(), problem.key().get());
                dropped = true;
            }
        }
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    /** The problems' messages, each once, in the order their keys stand in the file (others last). */
    public List<String> messages() {
        List<ConfigException> ordered = new ArrayList<>(problems);
        ordered.sort(Comparator.comparingInt(this::position));
        Set<String> messages = new LinkedHashSet<>();
        for (ConfigException problem : ordered) {
            messages.add(problem.getMessage());
        }
        return List.copyOf(messages);
    }

    /** Throws one exception that lists every problem, one per line; nothing when there is none. */
    public void throwIfAny() throws ConfigException {
        List<String> messages = messages();
        if (messages.size() == 1) {
            throw problems.stream().filter(problem -> problem.getMessage().equals(messages.get(0))).findFirst()
                    .orElseThrow();
        }
        if (!messages.isEmpty()) {
            throw new ConfigException(settings.source() + ": " + messages.size() + " problems, in file order:\n"
                    + String.join("\n", messages));
        }
    }

    private int position(ConfigException problem) {
        if (problem.section().isEmpty()) {
            return Integer.MAX_VALUE;
        }
        return settings.position(problem.section().get(), problem.key().orElse(null));
    }
}
