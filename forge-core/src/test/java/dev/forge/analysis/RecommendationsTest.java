package dev.forge.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecommendationsTest {

    private static Finding f(String rule, Severity severity, String file, int line, String tool) {
        return new Finding(rule, AnalysisType.QUALITY, severity, file, line, rule + " message", tool);
    }

    @Test
    void of_groupsByRuleWithCountExampleAndAdvice() {
        List<Finding> findings = List.of(
                f("EmptyCatchBlock", Severity.MAJOR, "App.java", 30, "pmd"),
                f("EmptyCatchBlock", Severity.MAJOR, "App.java", 12, "pmd"),
                f("EmptyCatchBlock", Severity.MAJOR, "Other.java", 5, "pmd"));

        assertThat(Recommendations.of(findings, 0, null, false)).containsExactly(
                "3 empty catch blocks hide failures, e.g. App.java:12 - log or rethrow");
    }

    @Test
    void of_mostSevereFirstThenLargest() {
        List<Finding> findings = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            findings.add(f("UnusedPrivateField", Severity.MINOR, "A.java", i, "pmd"));
        }
        findings.add(new Finding("secret-aws-access-key", AnalysisType.SECURITY, Severity.CRITICAL,
                "app.properties", 2, "masked", "secrets"));
        findings.add(f("UnknownRule", Severity.MAJOR, "B.java", 7, "sonar"));
        findings.add(f("compiler.err.prob.found.req", Severity.CRITICAL, "Broken.java", 5, "javac"));

        List<String> recommendations = Recommendations.of(findings, 0, null, false);

        assertThat(recommendations).hasSize(4);
        assertThat(recommendations.get(0)).startsWith("1 AWS access key id is hard-coded, e.g. app.properties:2");
        assertThat(recommendations.get(1)).startsWith("Fix the compile error - the code does not compile, e.g. Broken.java:5");
        assertThat(recommendations.get(2)).isEqualTo("Review 1 place that sonar flags as UnknownRule, e.g. B.java:7: UnknownRule message");
        assertThat(recommendations.get(3)).startsWith("5 private fields are never used, e.g. A.java:1");
    }

    @Test
    void of_atMostTenAndDeduplicated() {
        List<Finding> findings = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            findings.add(f("Rule" + i, Severity.MINOR, "A.java", i + 1, "pmd"));
        }

        assertThat(Recommendations.of(findings, 3, 40.0, true)).hasSize(10).doesNotHaveDuplicates();
    }

    @Test
    void of_measures_coverageAndUnresolvedSymbols() {
        assertThat(Recommendations.of(List.of(), 4, 62.5, true)).containsExactly(
                "4 symbols could not be resolved because dependencies are missing from the workspace"
                        + " - copy the project's jars to target/dependency (mvn dependency:copy-dependencies)"
                        + " so the type check is complete",
                "Line coverage is 62.5% - add tests for the least covered code (aim for 80%)");
        assertThat(Recommendations.of(List.of(), 0, 42.0, true)).singleElement().asString()
                .startsWith("Line coverage is 42.0%");
        assertThat(Recommendations.of(List.of(), 0, null, true)).singleElement().asString()
                .startsWith("No coverage report was found");
        assertThat(Recommendations.of(List.of(), 0, 95.0, true)).isEmpty();
    }
}
