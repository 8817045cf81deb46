package dev.forge.task;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One page of a longer list.
 *
 * @param items  the items on this page, at most {@code limit}
 * @param total  how many items the whole list holds
 * @param limit  the page size asked for
 * @param offset how many items precede this page
 */
public record Page<T>(List<T> items, long total, int limit, int offset) {

    /** Validates the page. */
    public Page {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
        if (total < 0 || limit < 0 || offset < 0) {
            throw new IllegalArgumentException("total, limit and offset must be >= 0");
        }
    }

    /**
     * The argument check of every store's page query, so they all refuse the same way.
     *
     * @throws IllegalArgumentException if {@code limit} or {@code offset} is negative
     */
    public static void requireBounds(int limit, int offset) {
        if (limit < 0 || offset < 0) {
            throw new IllegalArgumentException("limit and offset must be >= 0, were " + limit
                    + " and " + offset);
        }
    }

    /** The same page with every item mapped. */
    public <R> Page<R> map(Function<? super T, ? extends R> mapper) {
        return new Page<>(items.stream().<R>map(mapper).toList(), total, limit, offset);
    }
}
