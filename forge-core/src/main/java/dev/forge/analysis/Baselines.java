package dev.forge.analysis;

import dev.forge.task.TaskRecord;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Port: finds the analysis a new one is compared with, to tell new findings from old ones. The
 * baseline is simply an earlier analysis's stored report (its findings carry fingerprints), so
 * nothing but the task store is needed: see {@link TaskStoreBaselines}.
 */
@FunctionalInterface
public interface Baselines {

    /**
     * The newest analysis created before {@code current}, other than it, that
     * {@code comparable} accepts; empty when there is none.
     */
    Optional<TaskRecord> previous(TaskRecord current, Predicate<TaskRecord> comparable);

    /** No baselines: every analysis is a first one. */
    static Baselines none() {
        return (current, comparable) -> Optional.empty();
    }
}
