package dev.forge.store;

import dev.forge.Outcome;
import dev.forge.security.Principal;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.util.Optional;

/** Looks up a task for a caller: not found (also for another kind), forbidden, or the record. */
public final class TaskAccess {

    private TaskAccess() {
    }

    /** The task if it exists, is of {@code kind} and the caller may see it. */
    public static Outcome<TaskRecord> find(TaskStore store, Principal caller, TaskId id, TaskKind kind) {
        Optional<TaskRecord> found = store.find(id);
        if (found.isEmpty() || found.get().kind() != kind) {
            return new Outcome.NotFound<>(kind.wireName());
        }
        if (!caller.canAccess(found.get().owner())) {
            return new Outcome.Forbidden<>();
        }
        return Outcome.ok(found.get());
    }
}
