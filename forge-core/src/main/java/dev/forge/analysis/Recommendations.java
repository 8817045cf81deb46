package dev.forge.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns findings and measures into at most {@link #MAX} concrete sentences: findings are grouped
 * by tool and rule, each group becomes one sentence with its count, an example location and what
 * to do; groups are ordered most severe first, then largest first.
 */
final class Recommendations {

    static final int MAX = 10;
    /** Below this line coverage forge suggests more tests. */
    static final double COVERAGE_TARGET = 80.0;

    /** How to talk about one rule: {@code one} for a single finding, {@code many} with %d. */
    private record Template(String one, String many, String advice) {
    }

    private static final Map<String, Template> TEMPLATES = Map.ofEntries(
            Map.entry("EmptyCatchBlock", new Template("1 empty catch block hides failures",
                    "%d empty catch blocks hide failures", "log or rethrow")),
            Map.entry("UnusedPrivateField", new Template("1 private field is never used",
                    "%d private fields are never used", "delete unused fields")),
            Map.entry("UnusedPrivateMethod", new Template("1 private method is never called",
                    "%d private methods are never called", "delete dead code")),
            Map.entry("UnusedLocalVariable", new Template("1 local variable is never used",
                    "%d local variables are never used", "delete unused variables")),
            Map.entry("UnusedFormalParameter", new Template("1 parameter is never used",
                    "%d parameters are never used", "drop unused parameters from signatures")),
            Map.entry("AvoidDeeplyNestedIfStmts", new Template("1 if statement is nested too deeply",
                    "%d if statements are nested too deeply", "return early or extract a method")),
            Map.entry("GodClass", new Template("1 class does too much (god class)",
                    "%d classes do too much (god classes)", "split by responsibility")),
            Map.entry("CognitiveComplexity", new Template("1 method is hard to follow",
                    "%d methods are hard to follow", "split into smaller methods")),
            Map.entry("CyclomaticComplexity", new Template("1 method has too many branches",
                    "%d methods have too many branches", "split into smaller methods")),
            Map.entry("ForgeCommandInjection", new Template(
                    "1 command is built by string concatenation and can be injected",
                    "%d commands are built by string concatenation and can be injected",
                    "pass each argument separately to ProcessBuilder, never through a shell")),
            Map.entry("ForgeSqlConcatenation", new Template(
                    "1 SQL statement is built by string concatenation",
                    "%d SQL statements are built by string concatenation",
                    "use a PreparedStatement with parameters")),
            Map.entry("ForgeWeakHash", new Template("1 weak hash algorithm (MD5/SHA-1) is used",
                    "%d weak hash algorithms (MD5/SHA-1) are used", "use SHA-256 or stronger")),
            Map.entry("ForgeWeakCipher", new Template("1 weak cipher (DES/RC4/ECB) is used",
                    "%d weak ciphers (DES/RC4/ECB) are used", "use AES/GCM")),
            Map.entry("secret-aws-access-key", new Template("1 AWS access key id is hard-coded",
                    "%d AWS access key ids are hard-coded",
                    "rotate leaked keys and read keys from the environment or a secret store")),
            Map.entry("secret-private-key", new Template("1 private key is committed",
                    "%d private keys are committed", "revoke leaked keys and purge them from history")),
            Map.entry("secret-assignment", new Template("1 credential is hard-coded",
                    "%d credentials are hard-coded", "move credentials to the environment or a secret store")),
            Map.entry("secret-jwt", new Template("1 JSON Web Token is hard-coded",
                    "%d JSON Web Tokens are hard-coded", "revoke leaked tokens and obtain tokens at run time")),
            Map.entry("secret-high-entropy", new Template("1 high-entropy string looks like a key",
                    "%d high-entropy strings look like keys", "check each one and move real keys out of the code")));

    private record Item(Severity severity, int count, String text) {
    }

    private Recommendations() {
    }

    /**
     * The recommendations.
     *
     * @param findings          all findings
     * @param unresolvedSymbols symbols the type check could not resolve
     * @param coveragePercent   measured coverage, or null
     * @param coverageRequested whether coverage was asked for
     */
    static List<String> of(List<Finding> findings, int unresolvedSymbols, Double coveragePercent,
            boolean coverageRequested) {
        return of(findings, Map.of(), unresolvedSymbols, coveragePercent, coverageRequested);
    }

    /**
     * The recommendations, using each rule's fix hint where no sentence of forge's own fits.
     *
     * @param rules what the findings' rules mean and how to fix them, by rule id
     */
    static List<String> of(List<Finding> findings, Map<String, RuleInfo> rules, int unresolvedSymbols,
            Double coveragePercent, boolean coverageRequested) {
        Map<String, List<Finding>> groups = new LinkedHashMap<>();
        for (Finding f : findings) {
            // All compile errors are one problem to the reader: the code does not compile.
            String key = f.tool().equals("javac") ? "javac" : f.tool() + "\u0000" + f.ruleId();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(f);
        }
        List<Item> items = new ArrayList<>();
        for (List<Finding> group : groups.values()) {
            items.add(sentence(group, rules.get(group.get(0).ruleId())));
        }
        if (unresolvedSymbols > 0) {
            items.add(new Item(Severity.MINOR, unresolvedSymbols, unresolvedSymbols
                    + (unresolvedSymbols == 1 ? " symbol" : " symbols")
                    + " could not be resolved because dependencies are missing from the workspace"
                    + " - copy the project's jars to target/dependency (mvn dependency:copy-dependencies)"
                    + " so the type check is complete"));
        }
        if (coveragePercent != null && coveragePercent < COVERAGE_TARGET) {
            items.add(new Item(coveragePercent < 50 ? Severity.MAJOR : Severity.MINOR, 1,
                    "Line coverage is " + coveragePercent + "% - add tests for the least covered code"
                            + " (aim for " + (int) COVERAGE_TARGET + "%)"));
        } else if (coveragePercent == null && coverageRequested) {
            items.add(new Item(Severity.INFO, 0, "No coverage report was found - run the tests"
                    + " with JaCoCo, Cobertura or LCOV output so coverage can be measured"));
        }
        items.sort(Comparator.comparing(Item::severity)
                .thenComparing(Comparator.comparingInt(Item::count).reversed())
                .thenComparing(Item::text));
        Set<String> sentences = new LinkedHashSet<>();
        for (Item item : items) {
            if (sentences.size() == MAX) {
                break;
            }
            sentences.add(item.text());
        }
        return List.copyOf(sentences);
    }

    private static Item sentence(List<Finding> group, RuleInfo info) {
        List<Finding> sorted = new ArrayList<>(group);
        sorted.sort(Comparator.comparing(Finding::severity)
                .thenComparing(f -> f.file() == null ? "" : f.file())
                .thenComparingInt(Finding::line));
        Finding first = sorted.get(0);
        int n = group.size();
        String example = where(first);
        String text;
        if (first.tool().equals("javac")) {
            text = "Fix " + (n == 1 ? "the compile error" : "the " + n + " compile errors")
                    + " - the code does not compile, e.g. " + example + ": " + first.message();
        } else {
            Template t = TEMPLATES.get(first.ruleId());
            if (t != null) {
                text = (n == 1 ? t.one() : String.format(t.many(), n))
                        + (example.isEmpty() ? "" : ", e.g. " + example) + " - " + t.advice();
            } else if (info != null) {
                // the rule's own fix hint says what to do; the count and place say where
                text = withoutFinalStop(info.fix()) + " (" + first.ruleId() + ": " + places(n)
                        + (example.isEmpty() ? "" : ", e.g. " + example) + ")";
            } else {
                text = "Review " + places(n) + " that " + first.tool() + " flags as " + first.ruleId()
                        + (example.isEmpty() ? "" : ", e.g. " + example) + ": " + first.message();
            }
        }
        return new Item(first.severity(), n, text);
    }

    private static String places(int n) {
        return n == 1 ? "1 place" : n + " places";
    }

    private static String withoutFinalStop(String text) {
        String t = text.strip();
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }

    private static String where(Finding f) {
        if (f.file() == null) {
            return "";
        }
        return f.line() > 0 ? f.file() + ":" + f.line() : f.file();
    }
}
