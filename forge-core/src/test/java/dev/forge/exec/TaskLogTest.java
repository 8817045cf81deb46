package dev.forge.exec;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.forge.Forge;
import dev.forge.builds.BuildRequest;
import dev.forge.project.InMemoryProjectCatalog;
import dev.forge.project.ProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.security.Principal;
import dev.forge.task.TaskError;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.testing.Await;
import dev.forge.testing.ScriptedRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * The operator's task lines: one INFO line per start, success, failure and cancel, each with
 * the task id, user, project and kind as key-value pairs (the JSON log's fields).
 */
class TaskLogTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Principal ALICE = Principal.user("alice");
    private static final ProjectCatalog CATALOG = new InMemoryProjectCatalog(
            List.of(ProjectSpec.builder("demo").localSource(Path.of(".")).build()));

    private final Logger logger = (Logger) LoggerFactory.getLogger(TaskLog.LOGGER);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level previousLevel;
    private Forge forge;

    @BeforeEach
    void capture() {
        previousLevel = logger.getLevel();
        logger.setLevel(Level.INFO);
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void release() {
        if (forge != null) {
            forge.close();
        }
        logger.detachAppender(appender);
        logger.setLevel(previousLevel);
    }

    @Test
    void startSuccessFailureAndCancel_eachLogOneInfoLine_withTheTasksFields() {
        ScriptedRunner runner = new ScriptedRunner()
                .then(context -> RunOutcome.success(Map.of()))
                .then(context -> RunOutcome.failure(Map.of(),
                        new TaskError(TaskError.STEP_FAILED, "step 'test' exited with code 2")))
                .then(context -> {
                    Await.until(context.cancellation()::isCancelled, WAIT, "cancellation");
                    return RunOutcome.failure(Map.of(), new TaskError(TaskError.CANCELLED, "stopped"));
                });
        forge = Forge.builder().projectCatalog(CATALOG).buildRunner(runner).analysisRunner(runner)
                .executorConfig(ExecutorConfig.custom().workers(1).pollWait(Duration.ofMillis(100)).build())
                .build()
                .start();

        TaskRecord succeeded = create();
        awaitStatus(succeeded, TaskStatus.COMPLETED);
        TaskRecord failed = create();
        awaitStatus(failed, TaskStatus.FAILED);
        TaskRecord cancelled = create();
        awaitStatus(cancelled, TaskStatus.RUNNING);
        // The worker logs its start line on its own thread after RUNNING is stored (by the lease
        // that started the task): a cancel sent the moment RUNNING shows could log first.
        // Cancel once the start is logged.
        awaitEvents(cancelled, "task_started");
        forge.builds().cancel(ALICE, cancelled.id()).orElseThrow();

        awaitEvents(succeeded, "task_started", "task_succeeded");
        awaitEvents(failed, "task_started", "task_failed");
        awaitEvents(cancelled, "task_started", "task_cancelled");
        for (ILoggingEvent line : appender.list) {
            Map<String, Object> fields = fields(line);
            assertThat(line.getLevel()).isEqualTo(Level.INFO);
            assertThat(fields).containsEntry("user", "alice").containsEntry("project", "demo")
                    .containsEntry("kind", "build").containsKey("task_id");
            assertThat(line.getFormattedMessage()).contains(fields.get("task_id").toString());
        }
        Map<String, Object> failure = line(failed, "task_failed");
        assertThat(failure).containsEntry("error_code", TaskError.STEP_FAILED);
        assertThat(line(failed, "task_failed").get("duration_ms")).isInstanceOf(Long.class);
        assertThat(line(succeeded, "task_succeeded")).doesNotContainKey("error_code");
    }

    private TaskRecord create() {
        return forge.builds().create(ALICE, new BuildRequest("demo", "build it", Map.of())).orElseThrow();
    }

    private void awaitStatus(TaskRecord task, TaskStatus status) {
        Await.until(() -> forge.store().find(task.id()).orElseThrow().status() == status, WAIT,
                "task " + task.id() + " to be " + status.wireName());
    }

    /** Waits for the task's lines to be exactly {@code events}, in that order. */
    private void awaitEvents(TaskRecord task, String... events) {
        Await.until(() -> eventsOf(task).size() >= events.length, WAIT, "log lines of " + task.id());
        assertThat(eventsOf(task)).containsExactly(events);
    }

    private List<Object> eventsOf(TaskRecord task) {
        return List.copyOf(appender.list).stream().map(TaskLogTest::fields)
                .filter(fields -> task.id().value().equals(fields.get("task_id")))
                .map(fields -> fields.get("event"))
                .toList();
    }

    private Map<String, Object> line(TaskRecord task, String event) {
        return List.copyOf(appender.list).stream().map(TaskLogTest::fields)
                .filter(fields -> task.id().value().equals(fields.get("task_id")) && event.equals(fields.get("event")))
                .findFirst().orElseThrow();
    }

    private static Map<String, Object> fields(ILoggingEvent event) {
        Map<String, Object> fields = new LinkedHashMap<>();
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            pairs.forEach(pair -> fields.put(pair.key, pair.value));
        }
        return fields;
    }
}
