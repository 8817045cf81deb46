package dev.forge.analysis.sarif;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.forge.analysis.AnalysisType;
import dev.forge.analysis.Finding;
import dev.forge.analysis.Severity;
import dev.forge.analysis.SourceFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a SARIF 2.1.0 log into findings. The rules (documented in docs/analysis.md):
 * <ul>
 *   <li>tool = {@code runs[].tool.driver.name};</li>
 *   <li>category = security when the result or its rule is tagged {@code security} or with a
 *       CWE, the rule has a {@code security-severity}, or the rule id names an injection, XSS
 *       or security rule; otherwise quality;</li>
 *   <li>severity = forge's own {@code forge-severity} property if present (so forge's export
 *       round-trips exactly), else from {@code security-severity} (CVSS-like: 9+ blocker, 7+
 *       critical, 4+ major, above 0 minor), else from the level: error is critical for security
 *       and major otherwise, warning minor, note and none info;</li>
 *   <li>suppressed results, results of kind pass / notApplicable and results whose
 *   {@code baselineState} is {@code absent} (fixed since the baseline) are skipped.</li>
 * </ul>
 */
final class SarifReader {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private SarifReader() {
    }

    static List<Finding> read(Path file, Path workspace) throws IOException {
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = MAPPER.readTree(in);
        }
        return read(root, workspace);
    }

    static List<Finding> read(JsonNode root, Path workspace) {
        if (root == null || !root.path("runs").isArray()) {
            throw new IllegalArgumentException("not a SARIF log: no runs array");
        }
        List<Finding> findings = new ArrayList<>();
        for (JsonNode run : root.path("runs")) {
            JsonNode driver = run.path("tool").path("driver");
            String tool = text(driver.path("name"), "sarif");
            List<JsonNode> rules = new ArrayList<>();
            driver.path("rules").forEach(rules::add);
            for (JsonNode result : run.path("results")) {
                String kind = text(result.path("kind"), "fail");
                if (kind.equals("pass") || kind.equals("notApplicable")
                        || text(result.path("baselineState"), "").equals("absent")
                        || (result.path("suppressions").isArray() && !result.path("suppressions").isEmpty())) {
                    continue;
                }
                JsonNode rule = ruleOf(result, rules);
                String ruleId = text(result.path("ruleId"),
                        text(result.path("rule").path("id"), text(rule.path("id"), "sarif-result")));
                AnalysisType category = category(result, rule, ruleId);
                Severity severity = severity(result, rule, category);
                String message = text(result.path("message").path("text"),
                        text(rule.path("shortDescription").path("text"), ruleId));
                JsonNode physical = result.path("locations").path(0).path("physicalLocation");
                String file = location(physical.path("artifactLocation"), run, workspace);
                int line = Math.max(0, physical.path("region").path("startLine").asInt(0));
                findings.add(new Finding(ruleId, category, severity, file, line,
                        message.strip(), tool));
            }
        }
        return findings;
    }

    private static JsonNode ruleOf(JsonNode result, List<JsonNode> rules) {
        int index = result.path("ruleIndex").asInt(result.path("rule").path("index").asInt(-1));
        if (index >= 0 && index < rules.size()) {
            return rules.get(index);
        }
        String id = text(result.path("ruleId"), text(result.path("rule").path("id"), null));
        if (id != null) {
            for (JsonNode rule : rules) {
                if (id.equals(rule.path("id").asText(null))) {
                    return rule;
                }
            }
        }
        return MAPPER.missingNode();
    }

    static AnalysisType category(JsonNode result, JsonNode rule, String ruleId) {
        String forced = result.path("properties").path("forge-category").asText("");
        if (!forced.isEmpty()) {
            return AnalysisType.fromWire(forced).orElse(AnalysisType.QUALITY);
        }
        Set<String> tags = new HashSet<>();
        result.path("properties").path("tags").forEach(t -> tags.add(t.asText().toLowerCase(Locale.ROOT)));
        rule.path("properties").path("tags").forEach(t -> tags.add(t.asText().toLowerCase(Locale.ROOT)));
        boolean tagged = tags.stream().anyMatch(t -> t.equals("security") || t.startsWith("cwe")
                || t.startsWith("external/cwe") || t.startsWith("owasp"));
        String id = ruleId.toLowerCase(Locale.ROOT);
        boolean named = id.contains("security") || id.contains("injection") || id.contains("xss")
                || id.contains("cwe-");
        boolean scored = !rule.path("properties").path("security-severity").isMissingNode()
                || !result.path("properties").path("security-severity").isMissingNode();
        return tagged || named || scored ? AnalysisType.SECURITY : AnalysisType.QUALITY;
    }

    static Severity severity(JsonNode result, JsonNode rule, AnalysisType category) {
        String forced = result.path("properties").path("forge-severity").asText("");
        for (Severity s : Severity.values()) {
            if (s.wireName().equals(forced)) {
                return s;
            }
        }
        JsonNode score = result.path("properties").path("security-severity");
        if (score.isMissingNode()) {
            score = rule.path("properties").path("security-severity");
        }
        if (!score.isMissingNode()) {
            try {
                double value = Double.parseDouble(score.asText().strip());
                if (value >= 9.0) {
                    return Severity.BLOCKER;
                } else if (value >= 7.0) {
                    return Severity.CRITICAL;
                } else if (value >= 4.0) {
                    return Severity.MAJOR;
                } else if (value > 0) {
                    return Severity.MINOR;
                }
                return Severity.INFO;
            } catch (NumberFormatException e) {
                // fall through to the level
            }
        }
        String level = text(result.path("level"),
                text(rule.path("defaultConfiguration").path("level"), "warning"));
        return switch (level) {
            case "error" -> category == AnalysisType.SECURITY ? Severity.CRITICAL : Severity.MAJOR;
            case "warning" -> Severity.MINOR;
            default -> Severity.INFO;
        };
    }

    /** A workspace-relative path for the artifact, as well as can be told. */
    static String location(JsonNode artifact, JsonNode run, Path workspace) {
        String uri = artifact.path("uri").asText(null);
        if (uri == null && artifact.has("index")) {
            uri = run.path("artifacts").path(artifact.path("index").asInt()).path("location")
                    .path("uri").asText(null);
        }
        if (uri == null || uri.isBlank()) {
            return null;
        }
        String path = uri;
        if (path.startsWith("file://")) {
            path = path.substring("file://".length());
        } else if (path.startsWith("file:")) {
            path = path.substring("file:".length());
        }
        path = URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8).replace('\\', '/');
        if (path.matches("^/[A-Za-z]:/.*")) {
            path = path.substring(1); // file:///C:/x on Windows
        }
        boolean absolute = path.startsWith("/") || path.matches("^[A-Za-z]:/.*");
        if (!absolute) {
            while (path.startsWith("./")) {
                path = path.substring(2);
            }
            return path;
        }
        try {
            Path abs = Path.of(path).normalize();
            Path root = workspace.toAbsolutePath().normalize();
            if (abs.startsWith(root)) {
                return SourceFiles.relativize(root, abs);
            }
            // Written on another machine: the longest tail that exists in this workspace.
            for (int i = 1; i < abs.getNameCount(); i++) {
                Path tail = abs.subpath(i, abs.getNameCount());
                if (Files.exists(root.resolve(tail), LinkOption.NOFOLLOW_LINKS)) {
                    return tail.toString().replace('\\', '/');
                }
            }
        } catch (InvalidPathException e) {
            // keep the path as given
        }
        return path;
    }

    private static String text(JsonNode node, String fallback) {
        return node.isValueNode() && !node.asText().isBlank() ? node.asText() : fallback;
    }
}
