package dev.forge.analysis;

import dev.forge.InfrastructureException;
import dev.forge.analysis.coverage.CoverageAnalyzer;
import dev.forge.analysis.javac.TypeCheckAnalyzer;
import dev.forge.analysis.sarif.SarifImportAnalyzer;
import dev.forge.analysis.secrets.SecretsAnalyzer;
import dev.forge.exec.RunOutcome;
import dev.forge.exec.TaskContext;
import dev.forge.exec.TaskRunner;
import dev.forge.process.Workspaces;
import dev.forge.project.ProjectSpec;
import dev.forge.task.TaskError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one analysis attempt: prepares a workspace, runs every analyzer that contributes to a
 * requested type, merges their findings and measures, scores the result and releases the
 * workspace. Called by the job executor on a worker thread; one pipeline serves many tasks at
 * once, and its analyzers keep their caches between tasks.
 *
 * <p>The results map has these keys, returned as-is over HTTP: {@code quality_score},
 * {@code security_issues}, {@code code_smells}, {@code type_errors} (+ {@code type_errors_reason}
 * when null), {@code unresolved_symbols}, {@code coverage_percent} (+ {@code coverage_reason}
 * when null), {@code recommendations}, {@code findings}, {@code findings_total},
 * {@code measures}, {@code analyzers}, {@code analyzer_errors}, {@code analysis_types}.
 */
public final class AnalysisPipeline implements TaskRunner {

    /** Default cap on the {@code findings} list kept in the results (counts stay exact). */
    public static final int DEFAULT_MAX_FINDINGS = 5000;

    private static final Logger LOG = LoggerFactory.getLogger(AnalysisPipeline.class);
    private static final Comparator<Finding> MOST_SEVERE_FIRST = Comparator
            .comparing(Finding::severity)
            .thenComparing(f -> f.file() == null ? "" : f.file())
            .thenComparingInt(Finding::line)
            .thenComparing(Finding::tool)
            .thenComparing(Finding::ruleId)
            .thenComparing(Finding::message);

    private final Workspaces workspaces;
    private final List<Analyzer> analyzers;
    private final int maxFindings;

    /**
     * A pipeline running exactly these analyzers, in this order.
     *
     * @throws IllegalArgumentException if two analyzers share a name
     */
    public AnalysisPipeline(Workspaces workspaces, List<Analyzer> analyzers) {
        this(workspaces, analyzers, DEFAULT_MAX_FINDINGS);
    }

    /**
     * A pipeline keeping at most {@code maxFindings} entries in the {@code findings} list.
     *
     * @throws IllegalArgumentException if two analyzers share a name or the cap is negative
     */
    public AnalysisPipeline(Workspaces workspaces, List<Analyzer> analyzers, int maxFindings) {
        this.workspaces = Objects.requireNonNull(workspaces, "workspaces");
        this.analyzers = List.copyOf(Objects.requireNonNull(analyzers, "analyzers"));
        Set<String> names = new HashSet<>();
        for (Analyzer analyzer : this.analyzers) {
            if (!names.add(analyzer.name())) {
                throw new IllegalArgumentException("two analyzers are named '" + analyzer.name() + "'");
            }
        }
        if (maxFindings < 0) {
            throw new IllegalArgumentException("maxFindings must be >= 0, was " + maxFindings);
        }
        this.maxFindings = maxFindings;
    }

    /**
     * A pipeline with the built-in analyzers plus every {@link Analyzer} registered through
     * {@link ServiceLoader} on the class path (e.g. forge-analysis-pmd). A discovered analyzer
     * with a built-in's name replaces it.
     *
     * @throws IllegalStateException if a registered analyzer cannot be loaded
     */
    public static AnalysisPipeline withDiscoveredAnalyzers(Workspaces workspaces) {
        return new AnalysisPipeline(workspaces, discoverAnalyzers(Thread.currentThread().getContextClassLoader()));
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
     * Runs the analysis the context's task asks for (its {@code analysisTypes}; empty means all).
     *
     * @return success with the results, or a cancelled failure with what was collected
     * @throws InfrastructureException if the workspace or an analyzer's infrastructure failed
     */
    @Override
    public RunOutcome run(ProjectSpec project, TaskContext context) {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(context, "context");
        Set<AnalysisType> requested = requestedTypes(context);
        List<Analyzer> selected = analyzers.stream()
                .filter(a -> a.types().stream().anyMatch(requested::contains))
                .toList();
        context.progress(0, "preparing workspace");
        if (context.cancellation().isCancelled()) {
            return cancelled(new Collected(requested), "before it started");
        }
        Path workspace = workspaces.prepare(project, context);
        try {
            Collected collected = new Collected(requested);
            collected.size = CodeSize.of(workspace);
            for (int i = 0; i < selected.size(); i++) {
                Analyzer analyzer = selected.get(i);
                if (context.cancellation().isCancelled()) {
                    return cancelled(collected, "before " + analyzer.name());
                }
                context.progress(5 + 90 * i / selected.size(), "analyzing: " + analyzer.name());
                runOne(analyzer, workspace, project, context, collected);
            }
            if (context.cancellation().isCancelled()) {
                return cancelled(collected, "while analyzing");
            }
            context.progress(95, "scoring");
            Map<String, Object> results = collected.results(maxFindings);
            context.log("analysis: " + results.get("findings_total") + " findings, quality score "
                    + results.get("quality_score"));
            return RunOutcome.success(results);
        } finally {
            workspaces.release(workspace, false);
        }
    }

    private static void runOne(Analyzer analyzer, Path workspace, ProjectSpec project,
            TaskContext context, Collected collected) {
        Set<AnalysisType> types = EnumSet.noneOf(AnalysisType.class);
        types.addAll(analyzer.types());
        types.retainAll(collected.requested);
        long start = System.nanoTime();
        Analyzer.Result result;
        try {
            result = analyzer.analyze(workspace, project, Set.copyOf(types), context);
        } catch (InfrastructureException e) {
            throw e;
        } catch (RuntimeException e) {
            // One broken analyzer (often a plugin) should not hide what the others found.
            LOG.warn("analyzer {} failed", analyzer.name(), e);
            context.log("analyzer " + analyzer.name() + " failed; the other analyzers' results stand");
            // The exception's text may hold paths or internals: it stays in the server log.
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("analyzer", analyzer.name());
            error.put("message", "failed unexpectedly; details are in the server log");
            collected.errors.add(error);
            return;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        collected.timings.put(analyzer.name(), millis);
        collected.ran.add(analyzer.name());
        for (Finding finding : result.findings()) {
            if (collected.requested.contains(finding.category())) {
                collected.findings.add(finding);
            }
        }
        collected.measures.putAll(result.measures());
        context.log("analyzer " + analyzer.name() + ": " + result.findings().size() + " findings in "
                + millis + " ms");
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

    private static RunOutcome cancelled(Collected collected, String when) {
        return RunOutcome.failure(collected.results(DEFAULT_MAX_FINDINGS),
                new TaskError(TaskError.CANCELLED, "analysis cancelled " + when));
    }

    /** What the analyzers of one run produced so far. */
    private static final class Collected {
        final Set<AnalysisType> requested;
        final List<Finding> findings = new ArrayList<>();
        final Map<String, Object> measures = new LinkedHashMap<>();
        final Map<String, Object> timings = new LinkedHashMap<>();
        final List<String> ran = new ArrayList<>();
        final List<Object> errors = new ArrayList<>();
        CodeSize size = new CodeSize(0, 0, Map.of());

        Collected(Set<AnalysisType> requested) {
            this.requested = requested;
        }

        Map<String, Object> results(int maxFindings) {
            List<Finding> all = distinct(findings);
            Map<String, Object> measured = new LinkedHashMap<>(measures);

            Object typeErrors = measured.remove("type_errors");
            Object typeReason = measured.remove("type_errors_reason");
            if (!requested.contains(AnalysisType.TYPES)) {
                typeErrors = null;
                typeReason = "types analysis was not requested";
            } else if (typeErrors == null && typeReason == null) {
                typeReason = "no type-check analyzer ran";
            }
            Object coverage = measured.remove("coverage_percent");
            Object coverageReason = measured.remove("coverage_reason");
            if (!requested.contains(AnalysisType.COVERAGE)) {
                coverage = null;
                coverageReason = "coverage analysis was not requested";
            } else if (coverage == null && coverageReason == null) {
                coverageReason = "no coverage analyzer ran";
            }
            Double coveragePercent = coverage instanceof Number n ? n.doubleValue() : null;
            Object unresolved = measured.remove("unresolved_symbols");
            int unresolvedSymbols = unresolved instanceof Number n ? n.intValue() : 0;

            Map<String, Object> results = new LinkedHashMap<>();
            results.put("quality_score", QualityScore.compute(all, size.linesOfCode(), coveragePercent));
            results.put("security_issues", all.stream()
                    .filter(f -> f.category() == AnalysisType.SECURITY)
                    .map(Collected::securityIssue)
                    .toList());
            results.put("code_smells", (int) all.stream()
                    .filter(f -> f.category() == AnalysisType.QUALITY).count());
            results.put("type_errors", typeErrors);
            if (typeErrors == null) {
                results.put("type_errors_reason", typeReason);
            }
            results.put("unresolved_symbols", unresolvedSymbols);
            results.put("coverage_percent", coveragePercent);
            if (coveragePercent == null) {
                results.put("coverage_reason", coverageReason);
            }
            results.put("recommendations", Recommendations.of(all, unresolvedSymbols, coveragePercent,
                    requested.contains(AnalysisType.COVERAGE)));
            results.put("findings", all.stream().limit(maxFindings).map(Collected::finding).toList());
            results.put("findings_total", all.size());
            Map<String, Object> measureMap = new LinkedHashMap<>();
            measureMap.put("lines_of_code", size.linesOfCode());
            measureMap.put("files", size.files());
            measureMap.put("languages", new LinkedHashMap<>(size.languages()));
            measureMap.putAll(measured);
            measureMap.put("timings_ms", new LinkedHashMap<>(timings));
            results.put("measures", measureMap);
            results.put("analyzers", List.copyOf(ran));
            results.put("analyzer_errors", List.copyOf(errors));
            results.put("analysis_types", requested.stream().map(AnalysisType::wireName).toList());
            return results;
        }

        /**
         * Most severe first, each problem once: the same rule at the same place reported by two
         * tools (PMD run here, and PMD's own SARIF file imported) is one finding, the more
         * severe copy kept.
         */
        private static List<Finding> distinct(List<Finding> findings) {
            Map<String, Finding> byPlace = new LinkedHashMap<>();
            for (Finding f : findings.stream().sorted(MOST_SEVERE_FIRST).toList()) {
                byPlace.putIfAbsent(f.ruleId().toLowerCase(Locale.ROOT) + '\0' + f.file() + '\0' + f.line(), f);
            }
            return List.copyOf(byPlace.values());
        }

        private static Map<String, Object> securityIssue(Finding f) {
            Map<String, Object> issue = new LinkedHashMap<>();
            issue.put("severity", f.severity().wireName());
            issue.put("rule", f.ruleId());
            issue.put("file", f.file());
            issue.put("line", f.line());
            issue.put("message", f.message());
            issue.put("tool", f.tool());
            return issue;
        }

        private static Map<String, Object> finding(Finding f) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("rule", f.ruleId());
            map.put("category", f.category().wireName());
            map.put("severity", f.severity().wireName());
            map.put("file", f.file());
            map.put("line", f.line());
            map.put("message", f.message());
            map.put("tool", f.tool());
            return map;
        }
    }
}
