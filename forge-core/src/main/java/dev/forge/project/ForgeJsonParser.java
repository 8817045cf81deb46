package dev.forge.project;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.forge.sandbox.SandboxPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a project's {@code forge.json} into a {@link ProjectSpec}. Strict: unknown fields, wrong
 * types, duplicate keys and out-of-range values are rejected with a message naming the field
 * (array indexes are zero-based), because a silently ignored typo would build the wrong thing.
 */
final class ForgeJsonParser {

    /** forge.json files larger than this are rejected unread. */
    static final int MAX_BYTES = 256 * 1024;
    static final String FILE_NAME = "forge.json";

    private static final String PREFIX = FILE_NAME + ": ";
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Set<String> TOP = Set.of("source", "steps", "reports", "env", "timeouts",
            "sandbox");
    private static final Set<String> SOURCE = Set.of("git", "ref", "path");
    private static final Set<String> STEP = Set.of("name", "run");
    private static final Set<String> REPORTS = Set.of("junit", "coverage", "sarif");
    private static final Set<String> TIMEOUTS = Set.of("soft_seconds", "hard_seconds");
    private static final Pattern STEP_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern REF = Pattern.compile("[A-Za-z0-9._/-]{1,200}");
    private static final Pattern GIT_URL = Pattern.compile(
            "(?:(?:https?|ssh|git|file)://\\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\\S+)");
    private static final int MAX_STEPS = 50;
    private static final int MAX_ARGS = 500;
    private static final int MAX_TEXT = 4096;
    private static final long MAX_TIMEOUT_SECONDS = Duration.ofDays(7).toSeconds();

    private ForgeJsonParser() {
    }

    /**
     * Parses {@code content}; a relative {@code source.path} is resolved against
     * {@code projectDir}, and without {@code source} the project folder is the source.
     *
     * @throws ProjectConfigException naming the first problem found
     */
    static ProjectSpec parse(String name, Path projectDir, byte[] content) {
        if (content.length > MAX_BYTES) {
            throw fail("is larger than " + MAX_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(content);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ProjectConfigException(PREFIX + "not valid JSON" + where + ": "
                    + jsonProblem(e.getOriginalMessage()), e);
        } catch (IOException e) {
            throw new ProjectConfigException(PREFIX + "could not be read", e);
        }
        if (root == null || !root.isObject()) {
            throw fail("must be a JSON object");
        }
        onlyFields(root, TOP, "");

        ProjectSpec.Source source = source(root.get("source"), projectDir);
        List<ProjectSpec.Step> steps = steps(root.get("steps"));
        ProjectSpec.Reports reports = reports(root.get("reports"));
        Map<String, String> env = env(root.get("env"));
        Duration[] timeouts = timeouts(root.get("timeouts"));
        SandboxPolicy.Overrides sandbox = SandboxJson.parse(root.get("sandbox"));
        return new ProjectSpec(name, source, steps, reports, env, timeouts[0], timeouts[1], sandbox);
    }

    private static ProjectSpec.Source source(JsonNode node, Path projectDir) {
        if (node == null) {
            return new ProjectSpec.Source.LocalPath(projectDir);
        }
        if (!node.isObject()) {
            throw fail("source must be an object with either \"git\" or \"path\"");
        }
        onlyFields(node, SOURCE, "source.");
        boolean git = node.has("git");
        boolean path = node.has("path");
        if (git == path) {
            throw fail("source must have exactly one of \"git\" or \"path\"");
        }
        if (path) {
            if (node.has("ref")) {
                throw fail("source.ref is only allowed with source.git");
            }
            String dir = text(node.get("path"), "source.path");
            try {
                return new ProjectSpec.Source.LocalPath(projectDir.resolve(dir).normalize());
            } catch (java.nio.file.InvalidPathException e) {
                throw fail("source.path is not a valid path");
            }
        }
        String url = text(node.get("git"), "source.git");
        if (url.startsWith("-") || !GIT_URL.matcher(url).matches()) {
            throw fail("source.git must be an https, http, ssh, git or file URL, or user@host:path");
        }
        String ref = null;
        if (node.has("ref")) {
            ref = text(node.get("ref"), "source.ref");
            if (!validRef(ref)) {
                throw fail("source.ref must be a branch or tag name");
            }
        }
        return new ProjectSpec.Source.Git(url, ref);
    }

    private static boolean validRef(String ref) {
        return REF.matcher(ref).matches() && !ref.startsWith("-") && !ref.startsWith("/")
                && !ref.endsWith("/") && !ref.endsWith(".lock") && !ref.endsWith(".")
                && !ref.contains("..") && !ref.contains("//") && !ref.contains("/.");
    }

    private static List<ProjectSpec.Step> steps(JsonNode node) {
        if (node == null) {
            return List.of();
        }
        if (!node.isArray() || node.isEmpty()) {
            throw fail("steps must be a non-empty array of steps");
        }
        if (node.size() > MAX_STEPS) {
            throw fail("steps must have at most " + MAX_STEPS + " entries");
        }
        List<ProjectSpec.Step> steps = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String at = "steps[" + i + "]";
            JsonNode step = node.get(i);
            if (!step.isObject()) {
                throw fail(at + " must be an object with \"run\"");
            }
            onlyFields(step, STEP, at + ".");
            String stepName = "step-" + (i + 1);
            if (step.has("name")) {
                stepName = text(step.get("name"), at + ".name");
                if (!STEP_NAME.matcher(stepName).matches()) {
                    throw fail(at + ".name must match " + STEP_NAME.pattern());
                }
            }
            if (!names.add(stepName)) {
                throw fail(at + ".name '" + stepName + "' is used by an earlier step");
            }
            steps.add(new ProjectSpec.Step(stepName, argv(step.get("run"), at + ".run")));
        }
        return steps;
    }

    private static List<String> argv(JsonNode node, String at) {
        String problem = at + " must be a non-empty array of strings";
        if (node == null || !node.isArray() || node.isEmpty() || node.size() > MAX_ARGS) {
            throw fail(problem);
        }
        List<String> argv = new ArrayList<>();
        for (JsonNode arg : node) {
            if (!arg.isTextual() || arg.textValue().length() > MAX_TEXT
                    || arg.textValue().indexOf('\0') >= 0) {
                throw fail(problem);
            }
            argv.add(arg.textValue());
        }
        if (argv.get(0).isBlank()) {
            throw fail(at + "[0] must name a program");
        }
        return argv;
    }

    private static ProjectSpec.Reports reports(JsonNode node) {
        if (node == null) {
            return ProjectSpec.Reports.defaults();
        }
        if (!node.isObject()) {
            throw fail("reports must be an object");
        }
        onlyFields(node, REPORTS, "reports.");
        return new ProjectSpec.Reports(globs(node.get("junit"), "reports.junit"),
                globs(node.get("coverage"), "reports.coverage"),
                globs(node.get("sarif"), "reports.sarif"));
    }

    /** Null (the default globs) when absent; an empty array means "none". */
    private static List<String> globs(JsonNode node, String at) {
        if (node == null) {
            return null;
        }
        if (!node.isArray()) {
            throw fail(at + " must be an array of globs");
        }
        List<String> globs = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode glob = node.get(i);
            if (!glob.isTextual()) {
                throw fail(at + "[" + i + "] must be a string");
            }
            String problem = ReportGlobs.problem(glob.textValue());
            if (problem != null) {
                throw fail(at + "[" + i + "] " + problem);
            }
            globs.add(glob.textValue());
        }
        return globs;
    }

    private static Map<String, String> env(JsonNode node) {
        if (node == null) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw fail("env must be an object of string values");
        }
        Map<String, String> env = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = field.getKey();
            if (!ENV_KEY.matcher(key).matches()) {
                throw fail("env key '" + abbreviate(key) + "' must match " + ENV_KEY.pattern());
            }
            if (key.startsWith("FORGE_")) {
                throw fail("env key '" + key + "' is reserved: FORGE_ variables are set by forge");
            }
            JsonNode value = field.getValue();
            if (!value.isTextual() || value.textValue().length() > MAX_TEXT
                    || value.textValue().indexOf('\0') >= 0) {
                throw fail("env." + key + " must be a string");
            }
            env.put(key, value.textValue());
        }
        return env;
    }

    private static Duration[] timeouts(JsonNode node) {
        if (node == null) {
            return new Duration[2];
        }
        if (!node.isObject()) {
            throw fail("timeouts must be an object");
        }
        onlyFields(node, TIMEOUTS, "timeouts.");
        Long soft = seconds(node.get("soft_seconds"), "timeouts.soft_seconds");
        Long hard = seconds(node.get("hard_seconds"), "timeouts.hard_seconds");
        if (soft != null && hard != null && soft > hard) {
            throw fail("timeouts.soft_seconds (" + soft + ") must not exceed timeouts.hard_seconds ("
                    + hard + ")");
        }
        return new Duration[] {
            soft == null ? null : Duration.ofSeconds(soft),
            hard == null ? null : Duration.ofSeconds(hard)};
    }

    private static Long seconds(JsonNode node, String at) {
        if (node == null) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()
                || node.longValue() < 1 || node.longValue() > MAX_TIMEOUT_SECONDS) {
            throw fail(at + " must be a whole number of seconds from 1 to " + MAX_TIMEOUT_SECONDS);
        }
        return node.longValue();
    }

    private static String text(JsonNode node, String at) {
        if (node == null || !node.isTextual() || node.textValue().isBlank()
                || node.textValue().length() > MAX_TEXT || node.textValue().indexOf('\0') >= 0) {
            throw fail(at + " must be a non-empty string");
        }
        return node.textValue();
    }

    static void onlyFields(JsonNode object, Set<String> allowed, String prefix) {
        Iterator<String> names = object.fieldNames();
        while (names.hasNext()) {
            String field = names.next();
            if (!allowed.contains(field)) {
                throw fail("unknown field '" + prefix + abbreviate(field) + "' (allowed: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    private static String abbreviate(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= 64 ? clean : clean.substring(0, 64) + "...";
    }

    /** Jackson's own words, without its internals (class names, feature names, source notes). */
    private static String jsonProblem(String message) {
        String line = firstLine(message);
        if (line.startsWith("Trailing token")) {
            return "unexpected content after the top-level object";
        }
        int aside = line.indexOf(" (");
        return aside > 0 ? line.substring(0, aside) : line;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "unreadable";
        }
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }

    static ProjectConfigException fail(String problem) {
        return new ProjectConfigException(PREFIX + problem);
    }
}
