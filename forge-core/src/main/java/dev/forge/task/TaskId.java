package dev.forge.task;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Identifier of a build or analysis task. Ids are opaque, URL-safe strings of at most 64
 * characters, so they can be used in paths and keys without escaping.
 */
public record TaskId(String value) {

    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** Validates the id's shape. */
    public TaskId {
        Objects.requireNonNull(value, "value");
        if (!SHAPE.matcher(value).matches()) {
            throw new IllegalArgumentException("task id must match [A-Za-z0-9_-]{1,64}");
        }
    }

    /** Parses an id, returning {@code null} instead of throwing when the text is not an id. */
    public static TaskId parseOrNull(String text) {
        return text != null && SHAPE.matcher(text).matches() ? new TaskId(text) : null;
    }

    /** Shorthand for {@code new TaskId(value)}. */
    public static TaskId of(String value) {
        return new TaskId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
