package dev.forge.testing;

import dev.forge.exec.CancellationSource;
import dev.forge.exec.CancellationToken;
import dev.forge.exec.TaskContext;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link TaskContext} for runner and analyzer tests: records progress and log lines. */
public final class RecordingTaskContext implements TaskContext {

    /** One progress report. */
    public record Progress(int percent, String step) {
    }

    private final TaskRecord task;
    private final CancellationSource cancellation = new CancellationSource();
    private final List<Progress> progress = new CopyOnWriteArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();

    /** A context for {@code task}. */
    public RecordingTaskContext(TaskRecord task) {
        this.task = task;
    }

    /** A context for a fresh running build of {@code project} with these parameters. */
    public static RecordingTaskContext forBuild(String project, Map<String, String> parameters) {
        TaskRecord record = TaskRecord.create(TaskId.of("test-task-1"), TaskKind.BUILD, "alice",
                project, "test build", parameters, List.of(), 3, Instant.parse("2026-01-01T00:00:00Z"));
        return new RecordingTaskContext(record.start(Instant.parse("2026-01-01T00:00:01Z")));
    }

    /** A context for a fresh running analysis of {@code project} for these types (wire names). */
    public static RecordingTaskContext forAnalysis(String project, List<String> types) {
        TaskRecord record = TaskRecord.create(TaskId.of("test-task-2"), TaskKind.ANALYSIS, "alice",
                project, "", Map.of(), types, 2, Instant.parse("2026-01-01T00:00:00Z"));
        return new RecordingTaskContext(record.start(Instant.parse("2026-01-01T00:00:01Z")));
    }

    @Override
    public TaskRecord task() {
        return task;
    }

    @Override
    public CancellationToken cancellation() {
        return cancellation;
    }

    /** The source behind {@link #cancellation()}, so tests can request stops. */
    public CancellationSource cancellationSource() {
        return cancellation;
    }

    @Override
    public void progress(int percent, String step) {
        progress.add(new Progress(percent, step));
    }

    @Override
    public void log(String line) {
        lines.add(line);
    }

    /** Progress reports so far, in order. */
    public List<Progress> progressReports() {
        return List.copyOf(progress);
    }

    /** Log lines so far, in order. */
    public List<String> logLines() {
        return List.copyOf(lines);
    }

    /** The log as one string, lines joined by newlines. */
    public String logText() {
        return String.join("\n", lines);
    }
}
