package dev.forge.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The domain rules a change must keep, checked once in core instead of in every store. */
class TaskChangesTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T1 = T0.plusSeconds(1);

    private static TaskRecord created() {
        return TaskRecord.create(TaskId.of("t1"), TaskKind.BUILD, "alice", "demo", "build it",
                Map.of("flavor", "mint"), List.of(), 3, T0);
    }

    /** A copy with another status and version, bypassing the record's own transition checks. */
    private static TaskRecord rewrite(TaskRecord r, TaskStatus status, long version) {
        return new TaskRecord(r.id(), r.kind(), r.owner(), r.projectName(), r.goal(), r.parameters(),
                r.analysisTypes(), status, r.progress(), r.currentStep(), r.attempt(),
                r.maxAttempts(), r.results(), r.error(), r.createdAt(), r.updatedAt(),
                r.startedAt(), status.isTerminal() ? r.updatedAt() : null, version);
    }

    @Test
    void requireValid_changesMadeByTheRecord_pass() {
        TaskRecord record = created();
        TaskRecord running = record.start(T1);

        assertThatCode(() -> TaskChanges.requireValid(record, running)).doesNotThrowAnyException();
        assertThatCode(() -> TaskChanges.requireValid(running, running.withProgress(5, "clone", T1)))
                .doesNotThrowAnyException();
        assertThatCode(() -> TaskChanges.requireValid(running,
                running.transitionTo(TaskStatus.COMPLETED, Map.of("ok", true), null, T1)))
                .doesNotThrowAnyException();
        assertThat(TaskChanges.isValid(record, running)).isTrue();
    }

    @Test
    void requireValid_versionNotPlusOne_throws() {
        TaskRecord record = created();

        assertThatThrownBy(() -> TaskChanges.requireValid(record, rewrite(record, TaskStatus.RUNNING, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 1");
        assertThatThrownBy(() -> TaskChanges.requireValid(record, rewrite(record, TaskStatus.RUNNING, 0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(TaskChanges.isValid(record, rewrite(record, TaskStatus.RUNNING, 0))).isFalse();
    }

    @Test
    void requireValid_otherTasksId_throws() {
        TaskRecord a = created();
        TaskRecord b = TaskRecord.create(TaskId.of("t2"), TaskKind.BUILD, "alice", "demo", "", Map.of(),
                List.of(), 3, T0);

        assertThatThrownBy(() -> TaskChanges.requireValid(a, b.start(T1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("t2");
    }

    @Test
    void requireValid_illegalTransition_throwsNamingIt() {
        TaskRecord record = created();

        assertThatThrownBy(() -> TaskChanges.requireValid(record, rewrite(record, TaskStatus.COMPLETED, 1)))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("initializing -> completed");
    }

    @Test
    void requireValid_fromTerminal_throwsForEveryTarget() {
        TaskRecord running = created().start(T1);
        TaskRecord done = running.transitionTo(TaskStatus.COMPLETED, null, null, T1);

        for (TaskStatus target : TaskStatus.values()) {
            assertThatThrownBy(() -> TaskChanges.requireValid(done, rewrite(done, target, done.version() + 1)))
                    .as("completed -> %s", target)
                    .isInstanceOf(IllegalTransitionException.class);
        }
    }

    @Test
    void requireValid_changedFixedField_throwsNamingIt() {
        TaskRecord r = created();
        Map<String, UnaryOperator<TaskRecord>> changes = Map.of(
                "kind", x -> with(x, TaskKind.ANALYSIS, x.owner(), x.projectName(), x.goal(), x.parameters(),
                        x.analysisTypes(), x.maxAttempts(), x.createdAt()),
                "owner", x -> with(x, x.kind(), "mallory", x.projectName(), x.goal(), x.parameters(),
                        x.analysisTypes(), x.maxAttempts(), x.createdAt()),
                "projectName", x -> with(x, x.kind(), x.owner(), "other", x.goal(), x.parameters(),
                        x.analysisTypes(), x.maxAttempts(), x.createdAt()),
                "goal", x -> with(x, x.kind(), x.owner(), x.projectName(), "changed", x.parameters(),
                        x.analysisTypes(), x.maxAttempts(), x.createdAt()),
                "parameters", x -> with(x, x.kind(), x.owner(), x.projectName(), x.goal(), Map.of(),
                        x.analysisTypes(), x.maxAttempts(), x.createdAt()),
                "analysisTypes", x -> with(x, x.kind(), x.owner(), x.projectName(), x.goal(), x.parameters(),
                        List.of("quality"), x.maxAttempts(), x.createdAt()),
                "maxAttempts", x -> with(x, x.kind(), x.owner(), x.projectName(), x.goal(), x.parameters(),
                        x.analysisTypes(), 9, x.createdAt()),
                "createdAt", x -> with(x, x.kind(), x.owner(), x.projectName(), x.goal(), x.parameters(),
                        x.analysisTypes(), x.maxAttempts(), T1));
        TaskRecord next = r.start(T1);

        changes.forEach((field, change) -> assertThatThrownBy(
                () -> TaskChanges.requireValid(r, change.apply(next)))
                .as(field).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(field));
    }

    private static TaskRecord with(TaskRecord r, TaskKind kind, String owner, String project, String goal,
            Map<String, String> parameters, List<String> types, int maxAttempts, Instant createdAt) {
        return new TaskRecord(r.id(), kind, owner, project, goal, parameters, types, r.status(), r.progress(),
                r.currentStep(), r.attempt(), maxAttempts, r.results(), r.error(), createdAt, r.updatedAt(),
                r.startedAt(), r.completedAt(), r.version());
    }
}
