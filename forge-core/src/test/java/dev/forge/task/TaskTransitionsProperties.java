package dev.forge.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.store.InMemoryTaskStore;
import dev.forge.store.TaskStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/**
 * The transition table, checked through both places that enforce it: the record's own
 * transition methods and {@link TaskChanges}, the check every change passes before a store's
 * compare-and-set.
 */
class TaskTransitionsProperties {

    /** The lifecycle from the design document, written out independently of the table. */
    private static final Set<List<TaskStatus>> DESIGN = Set.of(
            List.of(TaskStatus.INITIALIZING, TaskStatus.RUNNING),
            List.of(TaskStatus.INITIALIZING, TaskStatus.CANCELLED),
            List.of(TaskStatus.INITIALIZING, TaskStatus.FAILED),
            List.of(TaskStatus.RUNNING, TaskStatus.COMPLETED),
            List.of(TaskStatus.RUNNING, TaskStatus.FAILED),
            List.of(TaskStatus.RUNNING, TaskStatus.CANCELLED),
            List.of(TaskStatus.RUNNING, TaskStatus.INITIALIZING));

    @Property
    void isAllowed_matchesTheDesignLifecycle(@ForAll TaskStatus from, @ForAll TaskStatus to) {
        assertThat(TaskTransitions.isAllowed(from, to)).isEqualTo(DESIGN.contains(List.of(from, to)));
        assertThat(TaskTransitions.allowedFrom(from).contains(to)).isEqualTo(TaskTransitions.isAllowed(from, to));
        if (from.isTerminal()) {
            assertThat(TaskTransitions.allowedFrom(from)).isEmpty();
        }
    }

    /**
     * Random target statuses, each tried through the record's methods and then through
     * {@link TaskChanges} and the store. A change the record refuses is still offered to
     * {@code TaskChanges} (built by hand), which must refuse it too, so neither check can hide
     * behind the other.
     */
    @Property(tries = 300)
    void randomTransitions_followTheTableAndBumpVersionsByOne(
            @ForAll @Size(max = 25) List<TaskStatus> targets) {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        TaskStore store = new InMemoryTaskStore();
        TaskRecord created = TaskRecord.create(TaskId.of("t1"), TaskKind.BUILD, "alice", "demo", "",
                Map.of(), List.of(), 3, now);
        store.create(created);
        long accepted = 0;

        for (TaskStatus target : targets) {
            now = now.plus(Duration.ofSeconds(1));
            TaskRecord before = store.find(created.id()).orElseThrow();
            TaskStatus from = before.status();

            TaskRecord next;
            boolean recordAllows;
            try {
                next = viaRecord(before, target, now);
                recordAllows = true;
            } catch (IllegalTransitionException e) {
                assertThat(e.from()).isEqualTo(from);
                next = byHand(before, target, now);
                recordAllows = false;
            }
            boolean storeAccepts;
            try {
                TaskChanges.requireValid(before, next);
                storeAccepts = store.compareAndSet(before, next);
                assertThat(storeAccepts).as("a current expected record is never stale").isTrue();
            } catch (IllegalTransitionException e) {
                assertThat(e.from()).isEqualTo(from);
                storeAccepts = false;
            }

            boolean tableAllows = from == target ? !from.isTerminal() : TaskTransitions.isAllowed(from, target);
            assertThat(storeAccepts).as("TaskChanges, %s -> %s", from, target).isEqualTo(tableAllows);
            assertThat(recordAllows).as("record, %s -> %s", from, target).isEqualTo(tableAllows);
            TaskRecord after = store.find(created.id()).orElseThrow();
            if (storeAccepts) {
                accepted++;
                assertThat(after.status()).isEqualTo(target);
                assertThat(after.version()).isEqualTo(before.version() + 1);
            } else {
                assertThat(after).isEqualTo(before);
            }
            if (from.isTerminal()) {
                assertThat(after.status()).as("terminal is final").isEqualTo(from);
            }
            assertThat(after.version()).isEqualTo(accepted);
        }
    }

    /** The change as services make it: start, transition, or a progress update. */
    private static TaskRecord viaRecord(TaskRecord current, TaskStatus target, Instant now) {
        if (target == current.status()) {
            return current.withProgress(Math.min(100, current.progress() + 1), "step", now);
        }
        if (target == TaskStatus.RUNNING && current.status() == TaskStatus.INITIALIZING) {
            return current.start(now);
        }
        TaskError error = target == TaskStatus.FAILED ? new TaskError(TaskError.TASK, "broke") : null;
        return current.transitionTo(target, null, error, now);
    }

    /** The same change built directly, without the record's checks. */
    private static TaskRecord byHand(TaskRecord r, TaskStatus target, Instant now) {
        return new TaskRecord(r.id(), r.kind(), r.owner(), r.projectName(), r.goal(),
                r.parameters(), r.analysisTypes(), target, r.progress(), r.currentStep(),
                r.attempt(), r.maxAttempts(), r.results(), r.error(), r.createdAt(), now,
                r.startedAt(), target.isTerminal() ? now : null, r.version() + 1);
    }
}
