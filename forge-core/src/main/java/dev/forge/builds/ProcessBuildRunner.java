package dev.forge.builds;

import dev.forge.exec.CancellationToken;
import dev.forge.exec.CancellationToken.Reason;
import dev.forge.exec.RunOutcome;
import dev.forge.exec.TaskContext;
import dev.forge.process.DefaultWorkspaces;
import dev.forge.process.ProcessSupervisor;
import dev.forge.process.Workspaces;
import dev.forge.project.BuildTools;
import dev.forge.project.ProjectConfigException;
import dev.forge.project.ProjectSpec;
import dev.forge.project.ProjectSpec.Step;
import dev.forge.project.ReportGlobs;
import dev.forge.sandbox.Enforcement;
import dev.forge.sandbox.Isolation;
import dev.forge.sandbox.Sandbox;
import dev.forge.sandbox.SandboxPolicy;
import dev.forge.task.TaskError;
import dev.forge.InfrastructureException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs builds as real processes: fetch the source into a fresh workspace, run each step's argv
 * there (never through a shell), collect JUnit reports, remove the workspace.
 *
 * <p>Progress: 0 while fetching ({@code clone} or {@code copy}), then each step from 10 to 90
 * under its own name, then {@code collect} at 90 and 100. A spec without steps has its build
 * tool detected in the workspace ({@link BuildTools}). Steps see only an allowlisted
 * environment (see {@link BuildRunnerConfig#inheritedEnv()}), the project's {@code env},
 * {@code FORGE_PARAM_<KEY>} per task parameter and {@code FORGE_TASK_ID}.
 *
 * <p>Outcomes: success with results; a step exiting non-zero (or not starting) is a failure
 * with code {@link TaskError#STEP_FAILED}, later steps do not run and reports are still
 * collected; a stop request kills the step's process tree and returns a failure with
 * {@link TaskError#CANCELLED} or {@link TaskError#TIMEOUT}. Fetch failures throw
 * {@link dev.forge.InfrastructureException} (retried) or {@link ProjectConfigException} (not).
 *
 * <p>Results: {@code {"steps": [{"name", "exit_code", "duration_ms"}], "tests": {"total",
 * "passed", "failed", "skipped"}, "failures": [{"test", "message"}], "artifacts": [paths]}}.
 * Thread-safe: runs may proceed in parallel, each in its own workspace.
 *
 * <p>Sandbox: every step runs inside the config's {@link Sandbox} (detected when none is given)
 * under the project's {@link SandboxPolicy}; see docs/builds.md. Fetching the source and
 * collecting reports are done by forge itself, outside the sandbox. A policy the sandbox cannot
 * meet fails the build at once with {@link TaskError#SANDBOX} under {@link Enforcement#STRICT},
 * and is a log line under {@link Enforcement#BEST_EFFORT}. A step that reaches a limit fails,
 * naming the limit.
 */
public final class ProcessBuildRunner implements BuildRunner {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessBuildRunner.class);

    private final BuildRunnerConfig config;
    private final Workspaces workspaces;
    private final ProcessSupervisor supervisor;
    private final Map<String, String> parentEnv;
    private final Sandbox sandbox;

    /** A runner with its own {@link DefaultWorkspaces} under the config's workspace root. */
    public ProcessBuildRunner(BuildRunnerConfig config) {
        this(config, DefaultWorkspaces.builder(Objects.requireNonNull(config, "config").workspaceRoot())
                .gitExecutable(config.gitExecutable())
                .maxLineLength(config.maxLineLength())
                .build());
    }

    /** A runner that fetches sources through {@code workspaces} (e.g. shared with analyses). */
    public ProcessBuildRunner(BuildRunnerConfig config, Workspaces workspaces) {
        this(config, workspaces, System.getenv());
    }

    /** For tests: {@code parentEnv} stands in for forge's own environment. */
    ProcessBuildRunner(BuildRunnerConfig config, Workspaces workspaces, Map<String, String> parentEnv) {
        this.config = Objects.requireNonNull(config, "config");
        this.workspaces = Objects.requireNonNull(workspaces, "workspaces");
        this.parentEnv = Map.copyOf(parentEnv);
        this.supervisor = new ProcessSupervisor(config.gracePeriod(), config.maxLineLength());
        this.sandbox = config.enforcement() == Enforcement.OFF ? Sandbox.none()
                : config.sandbox() != null ? config.sandbox() : Sandbox.detect();
    }

    /** The sandbox steps run in ({@link Sandbox#none()} when enforcement is off). */
    public Sandbox sandbox() {
        return sandbox;
    }

    /** What happens when the sandbox falls short of a build's policy. */
    public Enforcement enforcement() {
        return config.enforcement();
    }

    @Override
    public RunOutcome run(ProjectSpec project, TaskContext context) {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(context, "context");
        CancellationToken token = context.cancellation();
        List<BuildResult.Step> steps = new ArrayList<>();
        String fetch = project.source() instanceof ProjectSpec.Source.Git ? "clone" : "copy";
        if (token.isCancelled()) {
            return stopped(context, steps, fetch);
        }
        context.progress(0, fetch);
        Path workspace;
        try {
            workspace = workspaces.prepare(project, context);
        } catch (RuntimeException e) {
            if (token.isCancelled() && !(e instanceof ProjectConfigException)) {
                return stopped(context, steps, fetch);
            }
            throw e;
        }
        RunOutcome outcome = null;
        try {
            outcome = build(project, context, workspace, steps);
            return outcome;
        } finally {
            release(workspace, outcome, token);
        }
    }

    private RunOutcome build(ProjectSpec project, TaskContext context, Path workspace,
            List<BuildResult.Step> steps) {
        CancellationToken token = context.cancellation();
        List<Step> plan = project.steps();
        if (plan.isEmpty()) {
            plan = BuildTools.detect(workspace);
            if (plan.isEmpty()) {
                throw new ProjectConfigException("project '" + project.name() + "' has no steps in "
                        + "forge.json and no known build file (pom.xml, build.gradle, package.json, "
                        + "Makefile, Cargo.toml, go.mod)");
            }
            context.log("[forge] detected build: " + plan.stream()
                    .map(step -> String.join(" ", step.run())).collect(Collectors.joining(", then ")));
        }
        Map<String, String> env = StepEnvironment.of(parentEnv, config.inheritedEnv(), project,
                context.task(), context::log);

        SandboxPolicy policy;
        try {
            policy = project.sandbox().applyTo(config.sandboxPolicy());
        } catch (IllegalArgumentException e) {
            throw new ProjectConfigException("project '" + project.name() + "': " + e.getMessage());
        }
        if (config.enforcement() != Enforcement.OFF) {
            List<String> gaps = sandbox.gaps(policy);
            if (!gaps.isEmpty() && config.enforcement() == Enforcement.STRICT) {
                TaskError refused = new TaskError(TaskError.SANDBOX, "the build was not started: its sandbox "
                        + "policy cannot be met on this machine: " + String.join("; ", gaps)
                        + " (an operator may run builds unconfined with FORGE_SANDBOX=off)");
                context.log("[forge] " + refused.message());
                return RunOutcome.failure(results(steps, new JUnitReports().summary(), List.of(), List.of()),
                        refused);
            }
            gaps.forEach(gap -> context.log("[forge] sandbox lacks: " + gap));
        }
        context.log("[forge] sandbox: " + sandbox.isolation().label()
                + (sandbox.isolation() == Isolation.NONE ? "" : ", network " + (policy.network() ? "on" : "off")));
        TaskError error;
        try (Sandbox.Session session = sandbox.open(workspace, policy)) {
            error = steps(plan, session, workspace, env, context, steps);
        } catch (IOException e) {
            throw new InfrastructureException("the sandbox of project '" + project.name()
                    + "' could not be prepared: " + e.getMessage(), e);
        }
        if (error != null && error.code().equals(STOPPED)) {
            return stopped(context, steps, error.message());
        }

        context.progress(90, "collect");
        Map<String, Object> results = collect(project, workspace, steps, context);
        context.progress(100, "collect");
        return error == null ? RunOutcome.success(results) : RunOutcome.failure(results, error);
    }

    /** Marks a run that a stop request ended (its message is the step's name); never shown. */
    private static final String STOPPED = "stopped";

    /**
     * Runs the steps in order: null when all passed, a {@link #STOPPED} marker naming the step on a
     * stop request, else the error.
     */
    private TaskError steps(List<Step> plan, Sandbox.Session session, Path workspace, Map<String, String> env,
            TaskContext context, List<BuildResult.Step> steps) {
        CancellationToken token = context.cancellation();
        TaskError error = null;
        for (int i = 0; i < plan.size(); i++) {
            Step step = plan.get(i);
            if (token.isCancelled()) {
                return new TaskError(STOPPED, step.name());
            }
            context.progress(10 + 80 * i / plan.size(), step.name());
            context.log("[forge] step '" + step.name() + "': " + String.join(" ", step.run()));
            ProcessSupervisor.Result result;
            try {
                if (!startable(step.run().get(0), workspace, env)) {
                    throw new IOException("not found");
                }
                result = supervisor.run(session.command(step.run()), workspace, env, token, context::log);
            } catch (IOException e) {
                steps.add(new BuildResult.Step(step.name(), -1, 0));
                String why = "step '" + step.name() + "' could not start: program '" + step.run().get(0)
                        + "' was not found or is not executable";
                context.log("[forge] " + why);
                error = new TaskError(TaskError.STEP_FAILED, why);
                break;
            }
            steps.add(new BuildResult.Step(step.name(), result.exitCode(), result.duration().toMillis()));
            if (result.leftoversStopped() > 0) {
                context.log("[forge] step '" + step.name() + "' left " + result.leftoversStopped()
                        + " process(es) running; they were stopped");
            }
            if (result.stopped() || token.isCancelled()) {
                return new TaskError(STOPPED, step.name());
            }
            context.log("[forge] step '" + step.name() + "' exited with code " + result.exitCode()
                    + " after " + result.duration().toMillis() + " ms");
            Optional<String> limit = session.limitReached(result.exitCode());
            if (limit.isPresent()) {
                // a limit ends the build even when the step's own exit code hid it
                error = new TaskError(TaskError.STEP_FAILED, "step '" + step.name() + "' failed: " + limit.get());
                context.log("[forge] " + error.message());
                break;
            }
            if (result.exitCode() != 0) {
                error = new TaskError(TaskError.STEP_FAILED,
                        "step '" + step.name() + "' exited with code " + result.exitCode());
                break;
            }
        }
        return error;
    }

    /**
     * Whether the step's program can be found, as the sandbox's exec would look for it: a path
     * (relative to the workspace) or a name on the step's PATH. Checked here so a missing program
     * reads the same with and without a sandbox.
     */
    private static boolean startable(String program, Path workspace, Map<String, String> env) {
        if (program.indexOf('/') >= 0) {
            return Files.isExecutable(workspace.resolve(program));
        }
        String path = env.get("PATH");
        if (path == null) {
            return true; // let exec decide with its own default search path
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir).resolve(program);
            if (!dir.isEmpty() && !Path.of(dir).isAbsolute()) {
                candidate = workspace.resolve(dir).resolve(program);
            }
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Object> collect(ProjectSpec project, Path workspace,
            List<BuildResult.Step> steps, TaskContext context) {
        JUnitReports junit = new JUnitReports();
        TreeSet<String> artifacts = new TreeSet<>();
        try {
            for (Path report : ReportGlobs.find(workspace, project.reports().junit())) {
                String name = slashes(report);
                artifacts.add(name);
                junit.add(workspace.resolve(report), name);
            }
            List<String> others = new ArrayList<>(project.reports().coverage());
            others.addAll(project.reports().sarif());
            for (Path report : ReportGlobs.find(workspace, others)) {
                artifacts.add(slashes(report));
            }
        } catch (IOException e) {
            context.log("[forge] reports could not be collected: " + e.getClass().getSimpleName());
        }
        junit.problems().forEach(problem -> context.log("[forge] " + problem));
        Map<String, Object> tests = junit.summary();
        context.log("[forge] tests: " + tests.get("total") + " total, " + tests.get("passed")
                + " passed, " + tests.get("failed") + " failed, " + tests.get("skipped") + " skipped");
        return results(steps, tests, junit.failures(), List.copyOf(artifacts));
    }

    private static String slashes(Path relative) {
        return relative.toString().replace('\\', '/');
    }

    private static RunOutcome stopped(TaskContext context, List<BuildResult.Step> steps,
            String where) {
        Reason reason = context.cancellation().reason().orElse(Reason.USER);
        TaskError error = switch (reason) {
            case SOFT_TIMEOUT, HARD_TIMEOUT -> new TaskError(TaskError.TIMEOUT,
                    "build timed out during '" + where + "'");
            case SHUTDOWN -> new TaskError(TaskError.CANCELLED,
                    "build stopped during '" + where + "': the worker is shutting down");
            case LEASE_LOST -> new TaskError(TaskError.CANCELLED,
                    "build stopped during '" + where + "': another worker took it over");
            case USER -> new TaskError(TaskError.CANCELLED, "build cancelled during '" + where + "'");
        };
        context.log("[forge] " + error.message());
        return RunOutcome.failure(results(steps, new JUnitReports().summary(), List.of(), List.of()), error);
    }

    /** The results map, in the one JSON form {@link BuildResult#toMap()} defines. */
    private static Map<String, Object> results(List<BuildResult.Step> steps, Map<String, Object> tests,
            List<Map<String, Object>> failures, List<String> artifacts) {
        BuildResult.Tests counts = new BuildResult.Tests(count(tests, "total"), count(tests, "passed"),
                count(tests, "failed"), count(tests, "skipped"));
        List<BuildResult.TestFailure> failed = failures.stream()
                .map(f -> new BuildResult.TestFailure((String) f.get("test"), (String) f.get("message")))
                .toList();
        return Collections.unmodifiableMap(new BuildResult(steps, counts, failed, artifacts).toMap());
    }

    private static long count(Map<String, Object> tests, String key) {
        return ((Number) tests.get(key)).longValue();
    }

    private void release(Path workspace, RunOutcome outcome, CancellationToken token) {
        // a user's cancel or a shutdown leaves nothing to debug; failures and timeouts may
        boolean cancelled = token.reason().map(r -> r == Reason.USER || r == Reason.SHUTDOWN
                || r == Reason.LEASE_LOST).orElse(false);
        boolean keep = config.keepWorkspaceOnFailure() && !cancelled
                && (outcome == null || !outcome.succeeded());
        try {
            workspaces.release(workspace, keep);
        } catch (RuntimeException e) {
            LOG.warn("could not release workspace {}", workspace, e);
        }
    }
}
