package dev.forge.analysis;

import dev.forge.store.JsonTree;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an analysis found, typed. The task store and the HTTP API keep the JSON form,
 * {@link #toMap()}, which is made here and only here; {@link #fromMap} reads it back. The parts
 * that describe rather than count ({@code measures}, {@code score_inputs}, the baseline's fixed
 * findings) stay JSON-shaped maps: their keys depend on the analyzers that ran.
 *
 * <p>An analysis says what it could not look at: {@link #notCovered()} names, per requested
 * type, what was missing (an optional analyzer module not on the class path, an analyzer that
 * failed), so a score is never read as better than what was measured.
 *
 * @param qualityScore      0 (worst) to {@link #qualityScoreMax()}
 * @param qualityScoreMax   the best score, 10
 * @param securityIssues    every security finding (not capped)
 * @param codeSmells        how many quality findings
 * @param typeErrors        compile errors, or null when not measured ({@code typeErrorsReason} says why)
 * @param typeErrorsReason  why {@code typeErrors} is null, else null
 * @param unresolvedSymbols compile errors caused by a missing classpath entry
 * @param coveragePercent   line coverage, or null when not measured ({@code coverageReason} says why)
 * @param coverageReason    why {@code coveragePercent} is null, else null
 * @param recommendations   what to fix first, in sentences
 * @param findings          the findings, most severe first, capped (see {@code findingsTotal})
 * @param findingsTotal     how many findings there were in all
 * @param baseline          the comparison with an earlier analysis; null for a cancelled analysis
 * @param rules             descriptions of the rules behind the findings, by rule id
 * @param scoreInputs       what the score was computed from
 * @param measures          sizes, timings and analyzer measures
 * @param analyzers         the analyzers that ran (and did not fail)
 * @param analyzerErrors    the analyzers that failed, and why
 * @param notCovered        per requested type, what could not be looked at
 * @param analysisTypes     the types analysed
 * @param build             for an analysis of a build: which build, which workspace; else null
 * @param sourceRef         the git ref analysed, or null
 */
public record AnalysisReport(
        double qualityScore,
        int qualityScoreMax,
        List<Finding> securityIssues,
        int codeSmells,
        Integer typeErrors,
        String typeErrorsReason,
        int unresolvedSymbols,
        Double coveragePercent,
        String coverageReason,
        List<String> recommendations,
        List<ListedFinding> findings,
        int findingsTotal,
        BaselineComparison baseline,
        Map<String, RuleInfo> rules,
        Map<String, Object> scoreInputs,
        Map<String, Object> measures,
        List<String> analyzers,
        List<AnalyzerError> analyzerErrors,
        List<CoverageGap> notCovered,
        List<AnalysisType> analysisTypes,
        Map<String, Object> build,
        String sourceRef) {

    /** Copies the collections. */
    public AnalysisReport {
        securityIssues = List.copyOf(securityIssues);
        recommendations = List.copyOf(recommendations);
        findings = List.copyOf(findings);
        rules = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rules));
        scoreInputs = scoreInputs == null ? Map.of() : scoreInputs;
        measures = measures == null ? Map.of() : measures;
        analyzers = List.copyOf(analyzers);
        analyzerErrors = List.copyOf(analyzerErrors);
        notCovered = List.copyOf(notCovered);
        analysisTypes = List.copyOf(analysisTypes);
    }

    /**
     * A listed finding.
     *
     * @param finding       the problem
     * @param fingerprint   its stable fingerprint, or null (a cancelled analysis has none)
     * @param baselineState {@code new} or {@code unchanged} against the baseline, or null
     */
    public record ListedFinding(Finding finding, String fingerprint, String baselineState) {
        /** Validates the entry. */
        public ListedFinding {
            Objects.requireNonNull(finding, "finding");
        }
    }

    /**
     * The comparison with the previous comparable analysis of the project.
     *
     * @param newFindings   findings not in the baseline; null when there was no baseline
     * @param fixedFindings the baseline's findings that are gone, as stored there
     * @param baseline      {@code analysis_id}, {@code created_at}, {@code complete}; null when none
     * @param reason        why there was no baseline, else null
     */
    public record BaselineComparison(Integer newFindings, List<Map<String, Object>> fixedFindings,
            Map<String, Object> baseline, String reason) {
        /** Copies the list. */
        public BaselineComparison {
            fixedFindings = List.copyOf(fixedFindings);
        }
    }

    /**
     * An analyzer that failed; the other analyzers' results stand.
     *
     * @param analyzer its name
     * @param message  why
     */
    public record AnalyzerError(String analyzer, String message) {
    }

    /**
     * Something a requested type could not look at.
     *
     * @param type   the requested type
     * @param reason what was missing, e.g. {@code code smells need forge-analysis-pmd on the classpath}
     */
    public record CoverageGap(AnalysisType type, String reason) {
        /** Validates the gap. */
        public CoverageGap {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String toString() {
            return type.wireName() + ": " + reason;
        }
    }

    /**
     * The typed report of an analysis record (its partial report when it failed or was cancelled).
     *
     * @throws IllegalArgumentException if the record is not an analysis
     */
    public static AnalysisReport of(TaskRecord record) {
        if (record.kind() != TaskKind.ANALYSIS) {
            throw new IllegalArgumentException("task " + record.id() + " is a build, not an analysis");
        }
        return fromMap(record.results());
    }

    /** The JSON form: the keys {@link AnalysisPipeline} documents, in that order. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("quality_score", qualityScore);
        map.put("quality_score_max", qualityScoreMax);
        map.put("security_issues", securityIssues.stream().map(AnalysisReport::securityIssue).toList());
        map.put("code_smells", codeSmells);
        map.put("type_errors", typeErrors);
        if (typeErrors == null) {
            map.put("type_errors_reason", typeErrorsReason);
        }
        map.put("unresolved_symbols", unresolvedSymbols);
        map.put("coverage_percent", coveragePercent);
        if (coveragePercent == null) {
            map.put("coverage_reason", coverageReason);
        }
        map.put("recommendations", recommendations);
        map.put("findings", findings.stream().map(AnalysisReport::listed).toList());
        map.put("findings_total", findingsTotal);
        if (baseline != null) {
            map.put("new_findings", baseline.newFindings());
            map.put("fixed_findings", baseline.fixedFindings());
            map.put("baseline", baseline.baseline());
            if (baseline.baseline() == null) {
                map.put("baseline_reason", baseline.reason());
            }
        }
        Map<String, Object> ruleMap = new LinkedHashMap<>();
        rules.forEach((id, info) -> ruleMap.put(id, info.toMap()));
        map.put("rules", ruleMap);
        map.put("score_inputs", scoreInputs);
        map.put("measures", measures);
        map.put("analyzers", analyzers);
        map.put("analyzer_errors", analyzerErrors.stream().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("analyzer", e.analyzer());
            m.put("message", e.message());
            return (Object) m;
        }).toList());
        map.put("not_covered", notCovered.stream().map(g -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", g.type().wireName());
            m.put("reason", g.reason());
            return (Object) m;
        }).toList());
        map.put("analysis_types", analysisTypes.stream().map(AnalysisType::wireName).toList());
        if (build != null) {
            map.put("build", build);
        }
        if (sourceRef != null) {
            map.put(Baseline.REF, sourceRef);
        }
        return map;
    }

    /**
     * Reads {@link #toMap()}'s form back, as a store returns it. A report written before a key
     * existed reads that part as empty; an analysis that never ran reads as an empty report.
     */
    public static AnalysisReport fromMap(Map<String, ?> map) {
        List<ListedFinding> listed = new ArrayList<>();
        for (Map<?, ?> f : JsonTree.itemsOf(map.get("findings"), Map.class)) {
            listed.add(new ListedFinding(finding(f, null), string(f.get("fingerprint")),
                    string(f.get("baseline_state"))));
        }
        BaselineComparison baseline = null;
        if (map.containsKey("new_findings")) {
            List<Map<String, Object>> fixed = new ArrayList<>();
            for (Map<?, ?> f : JsonTree.itemsOf(map.get("fixed_findings"), Map.class)) {
                fixed.add(stringKeys(f));
            }
            baseline = new BaselineComparison(integer(map.get("new_findings")), fixed,
                    map.get("baseline") instanceof Map<?, ?> b ? stringKeys(b) : null,
                    string(map.get("baseline_reason")));
        }
        Map<String, RuleInfo> rules = new LinkedHashMap<>();
        if (map.get("rules") instanceof Map<?, ?> r) {
            r.forEach((id, info) -> {
                RuleInfo parsed = RuleInfo.fromMap(info);
                if (parsed != null) {
                    rules.put(String.valueOf(id), parsed);
                }
            });
        }
        List<AnalyzerError> errors = new ArrayList<>();
        for (Map<?, ?> e : JsonTree.itemsOf(map.get("analyzer_errors"), Map.class)) {
            errors.add(new AnalyzerError(String.valueOf(e.get("analyzer")), String.valueOf(e.get("message"))));
        }
        List<CoverageGap> gaps = new ArrayList<>();
        for (Map<?, ?> g : JsonTree.itemsOf(map.get("not_covered"), Map.class)) {
            AnalysisType.fromWire(string(g.get("type")))
                    .ifPresent(type -> gaps.add(new CoverageGap(type, String.valueOf(g.get("reason")))));
        }
        List<AnalysisType> types = new ArrayList<>();
        for (String name : JsonTree.itemsOf(map.get("analysis_types"), String.class)) {
            AnalysisType.fromWire(name).ifPresent(types::add);
        }
        Number score = map.get("quality_score") instanceof Number n ? n : 0;
        return new AnalysisReport(score.doubleValue(),
                map.get("quality_score_max") instanceof Number max ? max.intValue() : QualityScore.MAX,
                JsonTree.itemsOf(map.get("security_issues"), Map.class).stream()
                        .map(i -> finding(i, AnalysisType.SECURITY)).toList(),
                (int) count(map.get("code_smells")),
                integer(map.get("type_errors")), string(map.get("type_errors_reason")),
                (int) count(map.get("unresolved_symbols")),
                map.get("coverage_percent") instanceof Number c ? c.doubleValue() : null,
                string(map.get("coverage_reason")),
                JsonTree.itemsOf(map.get("recommendations"), String.class), listed,
                (int) count(map.get("findings_total")),
                baseline, rules,
                map.get("score_inputs") instanceof Map<?, ?> s ? stringKeys(s) : Map.of(),
                map.get("measures") instanceof Map<?, ?> m ? stringKeys(m) : Map.of(),
                JsonTree.itemsOf(map.get("analyzers"), String.class), errors, gaps, types,
                map.get("build") instanceof Map<?, ?> b ? stringKeys(b) : null,
                string(map.get(Baseline.REF)));
    }

    /** The JSON form of one finding in the {@code findings} list. */
    static Map<String, Object> findingMap(Finding f) {
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

    private static Map<String, Object> listed(ListedFinding entry) {
        Map<String, Object> map = findingMap(entry.finding());
        if (entry.fingerprint() != null) {
            map.put("fingerprint", entry.fingerprint());
        }
        if (entry.baselineState() != null) {
            map.put("baseline_state", entry.baselineState());
        }
        return map;
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

    /** A finding map back; {@code category} when the map has none (security issues). */
    private static Finding finding(Map<?, ?> map, AnalysisType category) {
        AnalysisType type = category != null ? category
                : AnalysisType.fromWire(string(map.get("category"))).orElse(AnalysisType.QUALITY);
        Severity severity = Severity.INFO;
        String wire = string(map.get("severity"));
        for (Severity candidate : Severity.values()) {
            if (candidate.wireName().equals(wire)) {
                severity = candidate;
            }
        }
        String tool = string(map.get("tool"));
        String message = string(map.get("message"));
        return new Finding(String.valueOf(map.get("rule")), type, severity, string(map.get("file")),
                (int) count(map.get("line")), message == null ? "" : message,
                tool == null ? "" : tool);
    }



    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(String.valueOf(k), v));
        return copy;
    }

    private static String string(Object value) {
        return value instanceof String s ? s : null;
    }

    private static Integer integer(Object value) {
        return value instanceof Number n ? n.intValue() : null;
    }

    private static long count(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }
}
