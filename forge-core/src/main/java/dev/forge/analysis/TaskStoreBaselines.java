package dev.forge.analysis;

import dev.forge.store.TaskStore;
import dev.forge.task.Page;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Baselines read from the task store: the owner's analyses, newest first
 * ({@link TaskStore#listByOwner}), up to {@link #DEFAULT_SEARCH_DEPTH} of them. Limits that
 * follow from using the store as it is: the baseline is the same owner's (another user's
 * analysis of the project is not compared with), it lives as long as the store keeps the
 * earlier task (the retention), and an owner with many analyses of other projects in between
 * may push the previous one beyond the search depth (then the analysis has no baseline).
 */
public final class TaskStoreBaselines implements Baselines {

    /** How many of the owner's latest analyses are looked through by default. */
    public static final int DEFAULT_SEARCH_DEPTH = 200;
    private static final int PAGE = 50;

    private final TaskStore store;
    private final int depth;

    /** Baselines from {@code store}, searching the owner's latest 200 analyses. */
    public TaskStoreBaselines(TaskStore store) {
        this(store, DEFAULT_SEARCH_DEPTH);
    }

    /**
     * Baselines from {@code store}, searching the owner's latest {@code depth} analyses.
     *
     * @throws IllegalArgumentException if {@code depth} is below 1
     */
    public TaskStoreBaselines(TaskStore store, int depth) {
        this.store = Objects.requireNonNull(store, "store");
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1, was " + depth);
        }
        this.depth = depth;
    }

    @Override
    public Optional<TaskRecord> previous(TaskRecord current, Predicate<TaskRecord> comparable) {
        for (int offset = 0; offset < depth; offset += PAGE) {
            Page<TaskRecord> page = store.listByOwner(current.owner(), TaskKind.ANALYSIS,
                    Math.min(PAGE, depth - offset), offset);
            for (TaskRecord candidate : page.items()) {
                if (!candidate.id().equals(current.id())
                        && !candidate.createdAt().isAfter(current.createdAt())
                        && comparable.test(candidate)) {
                    return Optional.of(candidate);
                }
            }
            if (page.items().size() < PAGE || offset + PAGE >= page.total()) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
