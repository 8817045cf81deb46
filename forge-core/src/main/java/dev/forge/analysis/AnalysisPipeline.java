package dev.forge.analysis;

import dev.forge.InfrastructureException;
import dev.forge.analysis.coverage.CoverageAnalyzer;
import dev.forge.analysis.javac.TypeCheckAnalyzer;
import dev.forge.analysis.sarif.SarifImportAnalyzer;
import dev.forge.analysis.secrets.SecretsAnalyzer;
import dev.forge.exec.RunOutcome;
import dev.forge.exec.TaskContext;
import dev.forge.exec.TaskRunner;
import dev.forge.process.KeptWorkspace;
import dev.forge.process.Workspaces;
import dev.forge.project.ProjectSpec;
import dev.forge.task.TaskError;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Runs one analysis attempt: prepares a workspace (or opens the kept workspace of the build the
 * task names), runs every analyzer that contributes to a requested type - each on its own thread
 * with a bounded stack and a time limit ({@link AnalysisConfig}) - merges their findings and
 * measures, compares them with the previous analysis of the project ({@link Baselines}), scores
 * the result and releases the workspace. Called by the job executor on a worker thread; one
 * pipeline serves many tasks at once, and its analyzers keep their caches between tasks.
 *
 * <p>The results map has these keys, returned as-is over HTTP: {@code quality_score},
 * {@code quality_score_max}, {@code security_issues}, {@code code_smells}, {@code type_errors}
 * (+ {@code type_errors_reason} when null), {@code unresolved_symbols}, {@code coverage_percent}
 * (+ {@code coverage_reason} when null), {@code recommendations}, {@code findings},
 * {@code findings_total}, {@code new_findings}, {@code fixed_findings}, {@code baseline}
 * (+ {@code baseline_reason} when null), {@code rules}, {@code score_inputs}, {@code measures},
 * {@code analyzers}, {@code analyzer_errors}, {@code not_covered}, {@code analysis_types}, and {@code build} for an
 * analysis of a build, {@code source_ref} for a git project with a ref; {@code not_covered}
 * lists, per requested type, what could not be looked at. {@link AnalysisReport} is the typed
 * form and makes the map.
 */
public final class AnalysisPipeline implements TaskRunner {

    /** Default cap on the {@code findings} list kept in the results (counts stay exact). */
    public static final int DEFAULT_MAX_FINDINGS = AnalysisConfig.DEFAULT_MAX_FINDINGS;
    /** The task parameter naming the build whose workspace an analysis reads. */
    public static final String BUILD_ID_PARAMETER = "build_id";

    private final Workspaces workspaces;
    private final List<Analyzer> analyzers;
    private final AnalysisConfig config;
    private final Baselines baselines;
    private final AnalyzerRunner runner;

    /**
     * A pipeline running exactly these analyzers, in this order, with default settings and no
     * baselines.
     *
     * @throws IllegalArgumentException if two analyzers share a name
     */
    public AnalysisPipeline(Workspaces workspaces, List<Analyzer> analyzers) {
        this(workspaces, analyzers, AnalysisConfig.ofDefaults(), Baselines.none());
    }

    /**
     * A pipeline keeping at most {@code maxFindings} entries in the {@code findings} list.
     *
     * @throws IllegalArgumentException if two analyzers share a name or the cap is negative
     */
    public AnalysisPipeline(Workspaces workspaces, List<Analyzer> analyzers, int maxFindings) {
        this(workspaces, analyzers, AnalysisConfig.custom().maxFindings(maxFindings).build(),
                Baselines.none());
    }

    /**
     * A pipeline with these settings, comparing each analysis with the one {@code baselines}
     * finds (e.g. {@code new TaskStoreBaselines(store)}).
     *
     * @throws IllegalArgumentException if two analyzers share a name
     */
    public AnalysisPipeline(Workspaces workspaces, List<Analyzer> analyzers, AnalysisConfig config,
            Baselines baselines) {
        this.workspaces = Objects.requireNonNull(workspaces, "workspaces");
        this.analyzers = List.copyOf(Objects.requireNonNull(analyzers, "analyzers"));
        this.config = Objects.requireNonNull(config, "config");
        this.baselines = Objects.requireNonNull(baselines, "baselines");
        Set<String> names = new HashSet<>();
        for (Analyzer analyzer : this.analyzers) {
            if (!names.add(analyzer.name())) {
                throw new IllegalArgumentException("two analyzers are named '" + analyzer.name() + "'");
            }
        }
        this.runner = new AnalyzerRunner(config.analyzerStackBytes(), config.analyzerTimeout());
    }

    /**
     * A pipeline with the built-in analyzers plus every {@link Analyzer} registered through
     * {@link ServiceLoader} on the class path (e.g. forge-analysis-pmd). A discovered analyzer
     * with a built-in's name replaces it.
     *
     * @throws IllegalStateException if a registered analyzer cannot be loaded
     */
    public static AnalysisPipeline withDiscoveredAnalyzers(Workspaces workspaces) {
        return withDiscoveredAnalyzers(workspaces, AnalysisConfig.ofDefaults(), Baselines.none());
    }

    /** Like {@link #withDiscoveredAnalyzers(Workspaces)}, with settings and baselines. */
    public static AnalysisPipeline withDiscoveredAnalyzers(Workspaces workspaces, AnalysisConfig config,
            Baselines baselines) {
        return new AnalysisPipeline(workspaces, discoverAnalyzers(Thread.currentThread().getContextClassLoader()),
                config, baselines);
    }

    /** The built-in analyzers followed by those {@link ServiceLoader} finds through {@code loader}. */
    public static List<Analyzer> discoverAnalyzers(ClassLoader loader) {
        Map<String, Analyzer> byName = new LinkedHashMap<>();
        for (Analyzer analyzer : builtInAnalyzers()) {
            byName.put(analyzer.name(), analyzer);
        }
        try {
            for (Analyzer analyzer : ServiceLoader.load(Analyzer.class, loader)) {
                byName.put(analyzer.name(), analyzer);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("an analyzer registered in META-INF/services could not be loaded: "
                    + e.getMessage(), e);
        }
        return List.copyOf(byName.values());
    }

    /** Fresh instances of the JDK-only analyzers: javac, coverage, secrets and SARIF import. */
    public static List<Analyzer> builtInAnalyzers() {
        return List.of(new TypeCheckAnalyzer(), new CoverageAnalyzer(), new SecretsAnalyzer(),
                new SarifImportAnalyzer());
    }

    /** The analyzers this pipeline runs, in order. */
    public List<Analyzer> analyzers() {
        return analyzers;
    }

    /**
     * What analyses miss because an optional analyzer module is not on the class path, one
     * sentence per module, e.g. {@code forge-analysis-pmd is not on the classpath: quality
     * analyses find no code smells, ...}; empty when nothing is missing. Servers log these once
     * at start; each analysis also lists them in its report's {@code not_covered}.
     */
    public List<String> missingAnalyzers() {
        return OptionalAnalyzers.missing(analyzerNames()).stream()
                .map(known -> known.module() + " is not on the classpath: "
                        + String.join(", ", known.covers().entrySet().stream()
                                .sorted(Map.Entry.comparingByKey())
                                .map(e -> e.getKey().wireName() + " analyses find no " + e.getValue())
                                .toList()))
                .toList();
    }

    private Set<String> analyzerNames() {
        Set<String> names = new HashSet<>();
        analyzers.forEach(analyzer -> names.add(analyzer.name()));
        return names;
    }

    /** The settings. */
    public AnalysisConfig config() {
        return config;
    }

    /**
     * Runs the analysis the context's task asks for (its {@code analysisTypes}; empty means all),
     * on the workspace of the build named by its {@code build_id} parameter while that is kept,
     * else on a fresh copy of the project's source.
     *
     * @return success with the results, or a cancelled failure with what was collected
     * @throws InfrastructureException if the workspace or an analyzer's infrastructure failed
     */
    @Override
    public RunOutcome run(ProjectSpec project, TaskContext context) {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(context, "context");
        Set<AnalysisType> requested = requestedTypes(context);
        context.progress(0, "preparing workspace");
        if (context.cancellation().isCancelled()) {
            return cancelled(new Report(requested, analyzerNames()), "before it started");
        }
        String ref = project.source() instanceof ProjectSpec.Source.Git git ? git.ref() : null;
        try (Source source = open(project, context)) {
            Path workspace = source.path();
            Report report = new Report(requested, analyzerNames());
            if (source.build() != null) {
                report.extra.put("build", source.build());
            }
            if (ref != null) {
                report.extra.put(Baseline.REF, ref);
            }
            report.size = CodeSize.of(workspace);
            List<Path> classpath = List.of();
            if (source.fromBuild()) {
                context.progress(3, "resolving classpath");
                BuildClasspath.Resolved resolved = BuildClasspath.resolve(workspace, config.mavenExecutable(),
                        config.classpathTimeout(), context);
                classpath = resolved.entries();
                report.measures.put("build_classpath", resolved.note());
            }
            List<Analyzer> selected = new ArrayList<>();
            for (Analyzer analyzer : analyzers) {
                if (analyzer.types().stream().anyMatch(requested::contains)) {
                    selected.add(analyzer);
                } else {
                    context.log("analyzer " + analyzer.name() + " skipped: it analyses " + wireNames(analyzer.types())
                            + ", the task asked for " + wireNames(requested));
                }
            }
            for (int i = 0; i < selected.size(); i++) {
                Analyzer analyzer = selected.get(i);
                if (context.cancellation().isCancelled()) {
                    return cancelled(report, "before " + analyzer.name());
                }
                context.progress(5 + 90 * i / selected.size(), "analyzing: " + analyzer.name());
                runOne(analyzer, workspace, project, context, classpath, report);
            }
            if (context.cancellation().isCancelled()) {
                return cancelled(report, "while analyzing");
            }
            context.progress(95, "scoring");
            Map<String, Object> results = finish(report, workspace, project, ref, context);
            context.log("analysis: " + results.get("findings_total") + " findings, "
                    + (results.get("new_findings") == null ? "no baseline"
                            : results.get("new_findings") + " new since the baseline")
                    + ", quality score " + results.get("quality_score") + " of " + QualityScore.MAX);
            return RunOutcome.success(results);
        }
    }

    private Map<String, Object> finish(Report report, Path workspace, ProjectSpec project, String ref,
            TaskContext context) {
        List<Finding> all = report.distinctFindings();
        Fingerprints fingerprints = new Fingerprints(workspace);
        Map<Finding, String> byFinding = new HashMap<>();
        List<String> prints = new ArrayList<>(all.size());
        for (Finding finding : all) {
            String print = fingerprints.of(finding);
            byFinding.put(finding, print);
            prints.add(print);
        }
        Optional<TaskRecord> previous = baselines.previous(context.task(),
                candidate -> Baseline.comparable(candidate, project.name(), ref, report.requested));
        Baseline.Comparison comparison = previous
                .map(p -> Baseline.compare(all, prints, p, report.requested))
                .orElse(null);
        if (comparison == null) {
            context.log("baseline: no earlier completed analysis of this project to compare with");
        } else {
            context.log("baseline: analysis " + comparison.baseline().get("analysis_id") + ", "
                    + comparison.newCount() + " new, " + comparison.fixed().size() + " fixed");
        }
        return report.results(config.maxFindings(), all, byFinding::get, comparison);
    }

    private void runOne(Analyzer analyzer, Path workspace, ProjectSpec project, TaskContext context,
            List<Path> classpath, Report report) {
        Set<AnalysisType> types = EnumSet.noneOf(AnalysisType.class);
        types.addAll(analyzer.types());
        types.retainAll(report.requested);
        AnalyzerRunner.Ran ran = runner.run(analyzer,
                new Analyzer.Input(workspace, project, types, context, classpath));
        if (ran.failed()) {
            context.log("analyzer " + analyzer.name() + " failed after " + ran.millis() + " ms: "
                    + ran.failure() + "; the other analyzers' results stand");
            report.failed(analyzer.name(), types, ran.failure());
            return;
        }
        Analyzer.Result result = ran.result();
        report.timings.put(analyzer.name(), ran.millis());
        report.ran.add(analyzer.name());
        int kept = 0;
        for (Finding finding : result.findings()) {
            if (report.requested.contains(finding.category())) {
                report.findings.add(finding);
                kept++;
            }
        }
        result.rules().forEach(report.rules::putIfAbsent);
        report.measures.putAll(result.measures());
        context.log("analyzer " + analyzer.name() + ": " + kept + " findings in " + ran.millis() + " ms"
                + (kept < result.findings().size() ? " (" + (result.findings().size() - kept)
                        + " of types not requested dropped)" : ""));
    }

    /** Where the analysis reads: the named build's kept workspace, or a fresh copy of the source. */
    private Source open(ProjectSpec project, TaskContext context) {
        String buildId = context.task().parameters().get(BUILD_ID_PARAMETER);
        Map<String, Object> build = null;
        if (buildId != null) {
            build = new LinkedHashMap<>();
            build.put("build_id", buildId);
            TaskId id = TaskId.parseOrNull(buildId);
            Optional<KeptWorkspace> kept = id == null ? Optional.empty() : workspaces.kept(id);
            if (kept.isPresent()) {
                build.put("workspace", "the build's own workspace");
                context.log("analysis: reading the workspace build " + buildId + " left");
                KeptWorkspace handle = kept.get();
                return new Source(handle.path(), handle::close, build, true);
            }
            String why = "the build's workspace is no longer kept, so a fresh copy of the source was"
                    + " analysed: reports the build wrote were not read";
            build.put("workspace", "a fresh copy of the source");
            build.put("note", why);
            context.log("analysis: " + why);
        }
        Path workspace = workspaces.prepare(project, context);
        return new Source(workspace, () -> workspaces.release(workspace, false), build, false);
    }

    /** An open workspace and how to let go of it. */
    private record Source(Path path, Runnable release, Map<String, Object> build, boolean fromBuild)
            implements AutoCloseable {
        @Override
        public void close() {
            release.run();
        }
    }

    private static String wireNames(Set<AnalysisType> types) {
        return String.join(", ", types.stream().sorted().map(AnalysisType::wireName).toList());
    }

    private static Set<AnalysisType> requestedTypes(TaskContext context) {
        List<String> names = context.task().analysisTypes();
        if (names.isEmpty()) {
            return EnumSet.allOf(AnalysisType.class);
        }
        Set<AnalysisType> types = EnumSet.noneOf(AnalysisType.class);
        for (String name : names) {
            AnalysisType.fromWire(name).ifPresentOrElse(types::add,
                    () -> context.log("analysis: ignoring unknown analysis type '" + name + "'"));
        }
        return types.isEmpty() ? EnumSet.allOf(AnalysisType.class) : types;
    }

    private RunOutcome cancelled(Report report, String when) {
        return RunOutcome.failure(report.results(config.maxFindings(), report.distinctFindings(), null, null),
                new TaskError(TaskError.CANCELLED, "analysis cancelled " + when));
    }
}
