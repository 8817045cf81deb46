package dev.forge.task;

import java.util.Objects;

/**
 * Identifier of a build or analysis task. Ids are opaque, URL-safe strings of at most 64
 * characters, so they can be used in paths and keys without escaping.
 */
public record TaskId(String value) {

    private static final int MAX_LENGTH = 64;

    /** Validates the id's shape. */
    public TaskId {
        Objects.requireNonNull(value, "value");
        if (!hasShape(value)) {
            throw new IllegalArgumentException("task id must match [A-Za-z0-9_-]{1,64}");
        }
    }

    /** Parses an id, returning {@code null} instead of throwing when the text is not an id. */
    public static TaskId parseOrNull(String text) {
        return text != null && hasShape(text) ? new TaskId(text) : null;
    }

    /** {@code [A-Za-z0-9_-]{1,64}}, by a loop: ids are checked on every create and lookup. */
    static boolean hasShape(String text) {
        int length = text.length();
        if (length < 1 || length > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
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
