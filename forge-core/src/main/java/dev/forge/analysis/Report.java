package dev.forge.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** What the analyzers of one run produced so far, and the results map made of it. */
final class Report {

    static final Comparator<Finding> MOST_SEVERE_FIRST = Comparator
            .comparing(Finding::severity)
            .thenComparing(f -> f.file() == null ? "" : f.file())
            .thenComparingInt(Finding::line)
            .thenComparing(Finding::tool)
            .thenComparing(Finding::ruleId)
            .thenComparing(Finding::message);

    final Set<AnalysisType> requested;
    final List<Finding> findings = new ArrayList<>();
    final Map<String, Object> measures = new LinkedHashMap<>();
    final Map<String, Object> timings = new LinkedHashMap<>();
    final Map<String, RuleInfo> rules = new LinkedHashMap<>();
    final List<String> ran = new ArrayList<>();
    final List<Object> errors = new ArrayList<>();
    private final Map<AnalysisType, String> failedTypes = new java.util.EnumMap<>(AnalysisType.class);
    /** Keys added to the results as they are (build link, source ref). */
    final Map<String, Object> extra = new LinkedHashMap<>();
    CodeSize size = new CodeSize(0, 0, Map.of());

    /** The names of the analyzers the pipeline has, whether or not they run for this task. */
    private final Set<String> available;

    Report(Set<AnalysisType> requested, Set<String> available) {
        this.requested = requested;
        this.available = Set.copyOf(available);
    }

    void failed(String analyzer, Set<AnalysisType> types, String reason) {
        for (AnalysisType type : types) {
            failedTypes.putIfAbsent(type, analyzer + " failed: " + reason);
        }
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("analyzer", analyzer);
        error.put("message", reason);
        errors.add(error);
    }

    /** Findings most severe first, each problem once. */
    List<Finding> distinctFindings() {
        return distinct(findings);
    }

    /**
     * The results, in the JSON form {@link AnalysisReport#toMap()} defines.
     *
     * @param all         {@link #distinctFindings()}
     * @param fingerprint each finding's fingerprint, or null to leave them out
     * @param comparison  the comparison with the baseline, or null when none was made
     */
    Map<String, Object> results(int maxFindings, List<Finding> all, Function<Finding, String> fingerprint,
            Baseline.Comparison comparison) {
        return report(maxFindings, all, fingerprint, comparison).toMap();
    }

    /** The typed report; see {@link #results}. */
    AnalysisReport report(int maxFindings, List<Finding> all, Function<Finding, String> fingerprint,
            Baseline.Comparison comparison) {
        Map<String, Object> measured = new LinkedHashMap<>(measures);
        Object typeErrors = measured.remove("type_errors");
        Object typeReason = measured.remove("type_errors_reason");
        if (!requested.contains(AnalysisType.TYPES)) {
            typeErrors = null;
            typeReason = "types analysis was not requested";
        } else if (typeErrors == null && typeReason == null) {
            typeReason = failedReason(AnalysisType.TYPES, "no type-check analyzer ran");
        }
        Object coverage = measured.remove("coverage_percent");
        Object coverageReason = measured.remove("coverage_reason");
        if (!requested.contains(AnalysisType.COVERAGE)) {
            coverage = null;
            coverageReason = "coverage analysis was not requested";
        } else if (coverage == null && coverageReason == null) {
            coverageReason = failedReason(AnalysisType.COVERAGE, "no coverage analyzer ran");
        }
        Double coveragePercent = coverage instanceof Number n ? n.doubleValue() : null;
        Object unresolved = measured.remove("unresolved_symbols");
        int unresolvedSymbols = unresolved instanceof Number n ? n.intValue() : 0;
        Integer typeErrorCount = typeErrors instanceof Number n ? n.intValue() : null;

        Map<String, RuleInfo> used = usedRules(all);
        List<AnalysisReport.ListedFinding> listed = new ArrayList<>();
        for (int i = 0; i < all.size() && i < maxFindings; i++) {
            listed.add(new AnalysisReport.ListedFinding(all.get(i),
                    fingerprint == null ? null : fingerprint.apply(all.get(i)),
                    comparison == null ? null : comparison.states().get(i)));
        }
        AnalysisReport.BaselineComparison baseline = null;
        if (comparison != null) {
            baseline = new AnalysisReport.BaselineComparison(comparison.newCount(),
                    comparison.fixed().stream().limit(maxFindings).toList(), comparison.baseline(), null);
        } else if (fingerprint != null) {
            baseline = new AnalysisReport.BaselineComparison(null, List.of(), null,
                    "no earlier completed analysis of this project (same git ref, covering these types)"
                            + " to compare with");
        }
        Map<String, Object> measureMap = new LinkedHashMap<>();
        measureMap.put("lines_of_code", size.linesOfCode());
        measureMap.put("files", size.files());
        measureMap.put("languages", new LinkedHashMap<>(size.languages()));
        measureMap.putAll(measured);
        measureMap.put("timings_ms", new LinkedHashMap<>(timings));
        List<AnalysisReport.AnalyzerError> analyzerErrors = new ArrayList<>();
        for (Object error : errors) {
            Map<?, ?> e = (Map<?, ?>) error;
            analyzerErrors.add(new AnalysisReport.AnalyzerError((String) e.get("analyzer"), (String) e.get("message")));
        }
        return new AnalysisReport(
                QualityScore.compute(all, size.linesOfCode(), coveragePercent),
                QualityScore.MAX,
                all.stream().filter(f -> f.category() == AnalysisType.SECURITY).toList(),
                (int) all.stream().filter(f -> f.category() == AnalysisType.QUALITY).count(),
                typeErrorCount, typeErrorCount == null ? String.valueOf(typeReason) : null,
                unresolvedSymbols,
                coveragePercent, coveragePercent == null ? String.valueOf(coverageReason) : null,
                Recommendations.of(all, used, unresolvedSymbols, coveragePercent,
                        requested.contains(AnalysisType.COVERAGE)),
                listed, all.size(), baseline, used,
                QualityScore.inputs(all, size.linesOfCode(), coveragePercent),
                measureMap, ran, analyzerErrors, notCovered(),
                requested.stream().sorted().toList(),
                extra.get("build") instanceof Map<?, ?> build ? stringKeys(build) : null,
                extra.get(Baseline.REF) instanceof String ref ? ref : null);
    }

    /**
     * What each requested type could not look at: an optional analyzer module missing from the
     * class path, an analyzer that failed.
     */
    List<AnalysisReport.CoverageGap> notCovered() {
        List<AnalysisReport.CoverageGap> gaps = new ArrayList<>();
        for (AnalysisType type : requested.stream().sorted().toList()) {
            for (OptionalAnalyzers.Known missing : OptionalAnalyzers.missing(available)) {
                String what = missing.covers().get(type);
                if (what != null) {
                    gaps.add(new AnalysisReport.CoverageGap(type, what + " need " + missing.module()
                            + " on the classpath"));
                }
            }
            String failed = failedTypes.get(type);
            if (failed != null) {
                gaps.add(new AnalysisReport.CoverageGap(type, failed));
            }
        }
        return gaps;
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(String.valueOf(k), v));
        return copy;
    }

    /** Why a measure is missing when the analyzer that takes it failed. */
    private String failedReason(AnalysisType type, String otherwise) {
        return failedTypes.getOrDefault(type, otherwise);
    }

    private Map<String, RuleInfo> usedRules(List<Finding> all) {
        Map<String, RuleInfo> used = new LinkedHashMap<>();
        for (Finding f : all) {
            RuleInfo info = rules.get(f.ruleId());
            if (info != null) {
                used.putIfAbsent(f.ruleId(), info);
            }
        }
        return used;
    }

    /**
     * Most severe first, each problem once: the same rule at the same place reported by two
     * tools (PMD run here, and PMD's own SARIF file imported) is one finding, the more severe
     * copy kept.
     */
    private static List<Finding> distinct(List<Finding> findings) {
        Map<String, Finding> byPlace = new LinkedHashMap<>();
        for (Finding f : findings.stream().sorted(MOST_SEVERE_FIRST).toList()) {
            byPlace.putIfAbsent(f.ruleId().toLowerCase(Locale.ROOT) + '\0' + f.file() + '\0' + f.line(), f);
        }
        return List.copyOf(byPlace.values());
    }
}
