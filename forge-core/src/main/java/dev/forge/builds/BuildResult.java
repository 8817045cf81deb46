package dev.forge.builds;

import dev.forge.store.JsonTree;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a build produced, typed. The task store and the HTTP API keep the JSON form,
 * {@link #toMap()}, which is made here and only here; {@link #fromMap} reads it back, so an
 * embedding application reads {@code result.tests().failed()} instead of digging through
 * {@code record.results()}.
 *
 * @param steps     the steps that ran, in order (a step that could not start has exit code -1)
 * @param tests     counts from the JUnit XML reports the project declares
 * @param failures  failed tests with their first message line (at most 50)
 * @param artifacts report files found in the workspace, workspace-relative with {@code /}
 */
public record BuildResult(List<Step> steps, Tests tests, List<TestFailure> failures, List<String> artifacts) {

    /** No steps, no tests: what a build that never ran a step has. */
    public static final BuildResult EMPTY = new BuildResult(List.of(), Tests.NONE, List.of(), List.of());

    /** Validates the result and copies its lists. */
    public BuildResult {
        steps = List.copyOf(steps);
        Objects.requireNonNull(tests, "tests");
        failures = List.copyOf(failures);
        artifacts = List.copyOf(artifacts);
    }

    /**
     * One step of the build.
     *
     * @param name       the step's name from {@code forge.json}
     * @param exitCode   its exit code; -1 when it could not start
     * @param durationMs how long it ran
     */
    public record Step(String name, int exitCode, long durationMs) {
        /** Validates the step. */
        public Step {
            Objects.requireNonNull(name, "name");
        }

        /** True when the step exited 0. */
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    /**
     * Test counts.
     *
     * @param total   test cases seen
     * @param passed  neither failed nor skipped
     * @param failed  failed or errored
     * @param skipped skipped
     */
    public record Tests(long total, long passed, long failed, long skipped) {
        /** No tests. */
        public static final Tests NONE = new Tests(0, 0, 0, 0);
    }

    /**
     * A failed test.
     *
     * @param test    {@code class.method}
     * @param message the first line of its failure message (capped)
     */
    public record TestFailure(String test, String message) {
        /** Validates the failure. */
        public TestFailure {
            Objects.requireNonNull(test, "test");
            message = message == null ? "" : message;
        }
    }

    /**
     * The typed result of a build record.
     *
     * @throws IllegalArgumentException if the record is not a build
     */
    public static BuildResult of(TaskRecord record) {
        if (record.kind() != TaskKind.BUILD) {
            throw new IllegalArgumentException("task " + record.id() + " is an analysis, not a build");
        }
        return fromMap(record.results());
    }

    /** The JSON form: {@code steps}, {@code tests}, {@code failures}, {@code artifacts}. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("steps", steps.stream().map(step -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", step.name());
            s.put("exit_code", step.exitCode());
            s.put("duration_ms", step.durationMs());
            return (Object) s;
        }).toList());
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("total", tests.total());
        counts.put("passed", tests.passed());
        counts.put("failed", tests.failed());
        counts.put("skipped", tests.skipped());
        map.put("tests", counts);
        map.put("failures", failures.stream().map(f -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("test", f.test());
            m.put("message", f.message());
            return (Object) m;
        }).toList());
        map.put("artifacts", artifacts);
        return map;
    }

    /**
     * Reads {@link #toMap()}'s form back, as a store returns it (numbers may come back as any
     * {@link Number}); missing parts read as empty, so the results of a build that never ran
     * give {@link #EMPTY}.
     */
    public static BuildResult fromMap(Map<String, ?> map) {
        List<Step> steps = new ArrayList<>();
        for (Map<?, ?> s : JsonTree.itemsOf(map.get("steps"), Map.class)) {
            steps.add(new Step(String.valueOf(s.get("name")), (int) number(s.get("exit_code")),
                    number(s.get("duration_ms"))));
        }
        Tests tests = Tests.NONE;
        if (map.get("tests") instanceof Map<?, ?> t) {
            tests = new Tests(number(t.get("total")), number(t.get("passed")), number(t.get("failed")),
                    number(t.get("skipped")));
        }
        List<TestFailure> failures = new ArrayList<>();
        for (Map<?, ?> f : JsonTree.itemsOf(map.get("failures"), Map.class)) {
            failures.add(new TestFailure(String.valueOf(f.get("test")),
                    f.get("message") instanceof String m ? m : ""));
        }
        List<String> artifacts = new ArrayList<>();
        if (map.get("artifacts") instanceof List<?> list) {
            list.forEach(a -> artifacts.add(String.valueOf(a)));
        }
        return new BuildResult(steps, tests, failures, artifacts);
    }


    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }
}
