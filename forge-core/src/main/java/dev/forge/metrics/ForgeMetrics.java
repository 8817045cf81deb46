package dev.forge.metrics;

import dev.forge.task.TaskKind;
import dev.forge.task.TaskStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * forge's Micrometer meters. Meters are created once and cached, so
 * recording on a hot path does no lookup.
 */
public final class ForgeMetrics {

    private final MeterRegistry registry;
    private final Map<TaskKind, Map<TaskStatus, Counter>> tasks = new EnumMap<>(TaskKind.class);
    private final Map<TaskKind, Timer> durations = new EnumMap<>(TaskKind.class);
    private final Counter retries;
    private final Counter exceptions;

    /** Registers forge's meters in {@code registry}. */
    public ForgeMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        for (TaskKind kind : TaskKind.values()) {
            Map<TaskStatus, Counter> byStatus = new EnumMap<>(TaskStatus.class);
            for (TaskStatus status : TaskStatus.values()) {
                byStatus.put(status, Counter.builder("forge_tasks_total")
                        .description("Tasks that reached a status")
                        .tag("kind", kind.wireName()).tag("status", status.wireName())
                        .register(registry));
            }
            tasks.put(kind, byStatus);
            durations.put(kind, Timer.builder("forge_task_duration_seconds")
                    .description("Time from creation to a terminal status")
                    .tag("kind", kind.wireName())
                    .publishPercentileHistogram()
                    .register(registry));
        }
        retries = Counter.builder("forge_task_retries_total")
                .description("Attempts scheduled again after an infrastructure failure")
                .register(registry);
        exceptions = Counter.builder("forge_task_exceptions_total")
                .description("Unexpected exceptions while running tasks")
                .register(registry);
    }

    /** Metrics into a throwaway registry, for embedders that do not care. */
    public static ForgeMetrics noop() {
        return new ForgeMetrics(new SimpleMeterRegistry());
    }

    /** The registry, for adapters that add their own meters. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Counts a task reaching {@code status}. */
    public void taskStatus(TaskKind kind, TaskStatus status) {
        tasks.get(kind).get(status).increment();
    }

    /** Records a finished task's total duration. */
    public void taskDuration(TaskKind kind, Duration duration) {
        durations.get(kind).record(duration.isNegative() ? Duration.ZERO : duration);
    }

    /** Counts a retry. */
    public void retry() {
        retries.increment();
    }

    /** Counts an unexpected exception. */
    public void exception() {
        exceptions.increment();
    }

    /**
     * Registers a gauge read on demand, e.g. queue depth or busy workers.
     *
     * @param tags alternating tag names and values
     */
    public void gauge(String name, String description, Supplier<Number> value, String... tags) {
        Gauge.builder(name, value).description(description).tags(tags).register(registry);
    }
}
