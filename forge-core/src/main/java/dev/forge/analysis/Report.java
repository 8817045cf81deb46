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

    Report(Set<AnalysisType> requested) {
        this.requested = requested;
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
     * The results.
     *
     * @param all         {@link #distinctFindings()}
     * @param fingerprint each finding's fingerprint, or null to leave them out
     * @param comparison  the comparison with the baseline, or null when none was made
     */
    Map<String, Object> results(int maxFindings, List<Finding> all, Function<Finding, String> fingerprint,
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

        Map<String, Object> results = new LinkedHashMap<>();
        results.put("quality_score", QualityScore.compute(all, size.linesOfCode(), coveragePercent));
        results.put("quality_score_max", QualityScore.MAX);
        results.put("security_issues", all.stream()
                .filter(f -> f.category() == AnalysisType.SECURITY)
                .map(Report::securityIssue)
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
        Map<String, RuleInfo> used = usedRules(all);
        results.put("recommendations", Recommendations.of(all, used, unresolvedSymbols, coveragePercent,
                requested.contains(AnalysisType.COVERAGE)));
        List<Map<String, Object>> listed = new ArrayList<>();
        for (int i = 0; i < all.size() && i < maxFindings; i++) {
            Map<String, Object> map = finding(all.get(i));
            if (fingerprint != null) {
                map.put("fingerprint", fingerprint.apply(all.get(i)));
            }
            if (comparison != null) {
                map.put("baseline_state", comparison.states().get(i));
            }
            listed.add(map);
        }
        results.put("findings", listed);
        results.put("findings_total", all.size());
        if (comparison != null) {
            results.put("new_findings", comparison.newCount());
            results.put("fixed_findings", comparison.fixed().stream().limit(maxFindings).toList());
            results.put("baseline", comparison.baseline());
        } else if (fingerprint != null) {
            results.put("new_findings", null);
            results.put("fixed_findings", List.of());
            results.put("baseline", null);
            results.put("baseline_reason", "no earlier completed analysis of this project (same git ref,"
                    + " covering these types) to compare with");
        }
        Map<String, Object> ruleMap = new LinkedHashMap<>();
        used.forEach((id, info) -> ruleMap.put(id, info.toMap()));
        results.put("rules", ruleMap);
        results.put("score_inputs", QualityScore.inputs(all, size.linesOfCode(), coveragePercent));
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
        results.putAll(extra);
        return results;
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

    static Map<String, Object> finding(Finding f) {
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
