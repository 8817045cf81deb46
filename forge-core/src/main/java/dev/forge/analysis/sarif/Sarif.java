package dev.forge.analysis.sarif;

import dev.forge.analysis.RuleInfo;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.forge.analysis.AnalysisType;
import dev.forge.analysis.Severity;
import dev.forge.task.TaskRecord;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes an analysis result as a SARIF 2.1.0 log, so code-scanning tools (GitHub code scanning,
 * IDE viewers) can show forge's findings. One run per tool that found something, named after
 * the tool; each result keeps forge's exact severity and category in its {@code properties}
 * ({@code forge-severity}, {@code forge-category}), which forge's own SARIF import honours, so
 * an exported log imports back to the same findings. Each result has forge's fingerprint in
 * {@code partialFingerprints} and, when the analysis had a baseline, its {@code baselineState}
 * ({@code new} or {@code unchanged}; fixed findings are exported as {@code absent} results), as
 * GitHub code scanning understands. Rules carry their description and fix ({@code help}).
 */
public final class Sarif {

    /** The SARIF version written. */
    public static final String VERSION = "2.1.0";
    /** The key of forge's fingerprint in each result's {@code partialFingerprints}. */
    public static final String FINGERPRINT_KEY = "forgeFingerprint/v1";
    /** The schema URI written as {@code $schema}. */
    public static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

    private Sarif() {
    }

    /** The SARIF log of a task's results (see {@link #export(Map)}). */
    public static Map<String, Object> export(TaskRecord task) {
        return export(Objects.requireNonNull(task, "task").results());
    }

    /**
     * The SARIF log of an analysis's results map, as produced by
     * {@link dev.forge.analysis.AnalysisPipeline}: its {@code findings} list of
     * {@code {rule, category, severity, file, line, message, tool}}. A result without findings
     * gives one empty run for {@code forge}.
     *
     * @return a JSON-shaped map (String, Number, List, Map)
     */
    public static Map<String, Object> export(Map<String, Object> results) {
        Objects.requireNonNull(results, "results");
        Map<String, List<Map<?, ?>>> byTool = new TreeMap<>();
        // fixed findings are results too, with baselineState "absent", so a viewer can close them
        for (String key : List.of("findings", "fixed_findings")) {
            if (results.get(key) instanceof List<?> findings) {
                for (Object item : findings) {
                    if (item instanceof Map<?, ?> finding) {
                        byTool.computeIfAbsent(string(finding.get("tool"), "forge"), t -> new ArrayList<>())
                                .add(finding);
                    }
                }
            }
        }
        if (byTool.isEmpty()) {
            byTool.put("forge", List.of());
        }
        Map<?, ?> ruleInfos = results.get("rules") instanceof Map<?, ?> m ? m : Map.of();
        List<Object> runs = new ArrayList<>();
        byTool.forEach((tool, findings) -> runs.add(run(tool, findings, ruleInfos)));
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("$schema", SCHEMA);
        log.put("version", VERSION);
        log.put("runs", runs);
        return log;
    }

    /** {@link #export(Map)} as a JSON string. */
    public static String exportJson(Map<String, Object> results) {
        try {
            return SarifReader.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(export(results));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("results are not JSON-shaped: " + e.getOriginalMessage(), e);
        }
    }

    private static Map<String, Object> run(String tool, List<Map<?, ?>> findings, Map<?, ?> ruleInfos) {
        Map<String, Integer> ruleIndex = new LinkedHashMap<>();
        List<Object> rules = new ArrayList<>();
        List<Object> sarifResults = new ArrayList<>();
        for (Map<?, ?> finding : findings) {
            String ruleId = string(finding.get("rule"), "forge");
            Severity severity = severity(finding.get("severity"));
            AnalysisType category = AnalysisType.fromWire(string(finding.get("category"), ""))
                    .orElse(AnalysisType.QUALITY);
            Integer index = ruleIndex.get(ruleId);
            if (index == null) {
                index = rules.size();
                ruleIndex.put(ruleId, index);
                rules.add(rule(ruleId, severity, category, RuleInfo.fromMap(ruleInfos.get(ruleId))));
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("ruleId", ruleId);
            result.put("ruleIndex", index);
            result.put("level", level(severity));
            result.put("message", Map.of("text", string(finding.get("message"), ruleId)));
            String file = string(finding.get("file"), null);
            if (file != null) {
                Map<String, Object> physical = new LinkedHashMap<>();
                physical.put("artifactLocation", Map.of("uri", uri(file), "uriBaseId", "%SRCROOT%"));
                int line = finding.get("line") instanceof Number n ? n.intValue() : 0;
                if (line > 0) {
                    physical.put("region", Map.of("startLine", line));
                }
                result.put("locations", List.of(Map.of("physicalLocation", physical)));
            }
            if (finding.get("fingerprint") instanceof String fingerprint) {
                result.put("partialFingerprints", Map.of(FINGERPRINT_KEY, fingerprint));
            }
            if (finding.get("baseline_state") instanceof String state) {
                result.put("baselineState", state);
            }
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("forge-severity", severity.wireName());
            properties.put("forge-category", category.wireName());
            result.put("properties", properties);
            sarifResults.add(result);
        }
        Map<String, Object> driver = new LinkedHashMap<>();
        driver.put("name", tool);
        driver.put("rules", rules);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("tool", Map.of("driver", driver));
        run.put("originalUriBaseIds", Map.of("%SRCROOT%", Map.of("description",
                Map.of("text", "the analysed project's root"))));
        run.put("results", sarifResults);
        return run;
    }

    /** A relative URI reference for a workspace path: spaces and the like percent-encoded. */
    static String uri(String path) {
        try {
            return new URI(null, null, path, null).getRawPath();
        } catch (URISyntaxException e) {
            return path.replace(" ", "%20");
        }
    }

    private static Map<String, Object> rule(String ruleId, Severity severity, AnalysisType category,
            RuleInfo info) {
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("id", ruleId);
        rule.put("shortDescription", Map.of("text", info == null ? ruleId : info.description()));
        if (info != null) {
            rule.put("help", Map.of("text", info.fix()));
            if (info.helpUri() != null) {
                rule.put("helpUri", info.helpUri());
            }
        }
        rule.put("defaultConfiguration", Map.of("level", level(severity)));
        Map<String, Object> properties = new LinkedHashMap<>();
        List<String> tags = new ArrayList<>();
        tags.add(category.wireName());
        properties.put("tags", tags);
        if (category == AnalysisType.SECURITY) {
            // GitHub code scanning ranks security alerts by this CVSS-like score.
            properties.put("security-severity", securityScore(severity));
        }
        rule.put("properties", properties);
        return rule;
    }

    /** SARIF level for a severity: blocker..major are errors, minor a warning, info a note. */
    static String level(Severity severity) {
        return switch (severity) {
            case BLOCKER, CRITICAL, MAJOR -> "error";
            case MINOR -> "warning";
            case INFO -> "note";
        };
    }

    static String securityScore(Severity severity) {
        return switch (severity) {
            case BLOCKER -> "9.5";
            case CRITICAL -> "8.0";
            case MAJOR -> "5.5";
            case MINOR -> "2.0";
            case INFO -> "0.0";
        };
    }

    private static Severity severity(Object value) {
        String text = string(value, "");
        for (Severity s : Severity.values()) {
            if (s.wireName().equals(text)) {
                return s;
            }
        }
        return Severity.MINOR;
    }

    private static String string(Object value, String fallback) {
        return value == null ? fallback : value.toString();
    }
}
