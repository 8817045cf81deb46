package dev.forge.builds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.project.Fixtures;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JUnitReportsTest {

    @TempDir
    Path dir;

    private final JUnitReports reports = new JUnitReports();

    private void add(String name, String xml) throws IOException {
        reports.add(Fixtures.write(dir, name, xml), name);
    }

    private static Map<String, Object> tests(long total, long passed, long failed, long skipped) {
        return Map.of("total", total, "passed", passed, "failed", failed, "skipped", skipped);
    }

    @Test
    void add_surefireReport_countsCasesAndCollectsFailures() throws IOException {
        add("TEST-calc.CalcTest.xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuite name="calc.CalcTest" tests="5" failures="1" errors="1" skipped="1">
                  <properties><property name="java.version" value="17"/></properties>
                  <testcase name="adds" classname="calc.CalcTest" time="0.01"/>
                  <testcase name="divides" classname="calc.CalcTest">
                    <failure message="expected: &lt;2&gt; but was: &lt;3&gt;" type="AssertionFailedError">stack</failure>
                  </testcase>
                  <testcase name="parses" classname="calc.CalcTest">
                    <error type="java.lang.NumberFormatException"><![CDATA[For input string: "x"
                	at java.base/java.lang.Integer.parseInt]]></error>
                  </testcase>
                  <testcase name="later" classname="calc.CalcTest"><skipped message="not yet"/></testcase>
                  <testcase name="flaky" classname="calc.CalcTest">
                    <flakyFailure message="first run failed"/>
                  </testcase>
                </testsuite>
                """);

        assertThat(reports.summary()).isEqualTo(tests(5, 2, 2, 1));
        assertThat(reports.failures()).containsExactly(
                Map.of("test", "calc.CalcTest.divides", "message", "expected: <2> but was: <3>"),
                Map.of("test", "calc.CalcTest.parses", "message", "For input string: \"x\""));
        assertThat(reports.problems()).isEmpty();
    }

    @Test
    void add_testsuitesRootWithNestedSuites_countsEachCaseOnce() throws IOException {
        add("TEST-all.xml", """
                <testsuites tests="99" failures="99">
                  <testsuite name="outer" tests="3">
                    <testcase name="a"/>
                    <testsuite name="inner" tests="2">
                      <testcase name="b"/>
                      <testcase name="c"><failure>boom
                      second line</failure></testcase>
                    </testsuite>
                  </testsuite>
                </testsuites>
                """);

        assertThat(reports.summary()).isEqualTo(tests(3, 2, 1, 0));
        assertThat(reports.failures()).containsExactly(Map.of("test", "c", "message", "boom"));
    }

    @Test
    void add_suitesWithoutCases_fallBackToTheOutermostSuiteAttributes() throws IOException {
        add("TEST-a.xml", """
                <testsuites>
                  <testsuite name="a" tests="10" failures="2" errors="1" skipped="3"/>
                  <testsuite name="b" tests="4"/>
                </testsuites>
                """);

        assertThat(reports.summary()).isEqualTo(tests(14, 8, 3, 3));
    }

    @Test
    void add_severalFiles_sumUp_andFailuresAreCapped() throws IOException {
        StringBuilder many = new StringBuilder("<testsuite>");
        for (int i = 0; i < 70; i++) {
            many.append("<testcase name=\"t").append(i).append("\"><failure message=\"m\"/></testcase>");
        }
        add("TEST-many.xml", many.append("</testsuite>").toString());
        add("TEST-one.xml", "<testsuite><testcase name=\"ok\"/></testsuite>");

        assertThat(reports.summary()).isEqualTo(tests(71, 1, 70, 0));
        assertThat(reports.failures()).hasSize(JUnitReports.MAX_FAILURES);
    }

    @Test
    void add_longFailureMessage_isCapped() throws IOException {
        add("TEST-long.xml", "<testsuite><testcase name=\"t\"><failure message=\"" + "m".repeat(5000)
                + "\"/></testcase></testsuite>");

        assertThat((String) reports.failures().get(0).get("message")).hasSize(JUnitReports.MAX_MESSAGE + 3);
    }

    @Test
    void add_billionLaughs_isRejectedQuicklyWithoutExpansion() throws IOException {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
                + " <!ENTITY lol \"lol\">\n");
        for (int i = 1; i <= 9; i++) {
            String prev = i == 1 ? "lol" : "lol" + (i - 1);
            xml.append(" <!ENTITY lol").append(i).append(" \"")
                    .append(("&" + prev + ";").repeat(10)).append("\">\n");
        }
        xml.append("]>\n<testsuite><testcase name=\"&lol9;\"/></testsuite>\n");

        // this thread's CPU time, not wall time: a loaded CI box may keep the thread waiting for
        // a core, but an expansion would burn CPU whatever the load
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        add("TEST-lol.xml", xml.toString());

        assertThat(Duration.ofNanos(threads.getCurrentThreadCpuTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(reports.summary()).isEqualTo(tests(0, 0, 0, 0));
        assertThat(reports.problems()).containsExactly(
                "junit report 'TEST-lol.xml' ignored: a DOCTYPE is not allowed");
    }

    @Test
    void add_externalEntity_isRejectedWithoutReadingTheFile() throws IOException {
        Path secret = Fixtures.write(dir, "secret.txt", "TOP-SECRET-CONTENT");
        add("TEST-xxe.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE testsuite [<!ENTITY xxe SYSTEM \""
                + secret.toUri() + "\">]>\n<testsuite><testcase name=\"a\"><failure message=\"&xxe;\"/>"
                + "</testcase></testsuite>");
        add("TEST-param.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE testsuite [<!ENTITY % p SYSTEM \""
                + secret.toUri() + "\"> %p;]>\n<testsuite/>");
        add("TEST-dtd.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE testsuite SYSTEM \"http://127.0.0.1:9/x.dtd\">\n"
                + "<testsuite><testcase name=\"a\"/></testsuite>");

        assertThat(reports.summary()).isEqualTo(tests(0, 0, 0, 0));
        assertThat(reports.failures()).isEmpty();
        assertThat(reports.problems()).hasSize(3).allMatch(p -> p.endsWith("a DOCTYPE is not allowed")
                || p.contains("not well-formed"));
        assertThat(String.join("\n", reports.problems())).doesNotContain("TOP-SECRET");
    }

    @Test
    void add_malformedOrForeignXml_isIgnoredWithAReason_andCountsNothing() throws IOException {
        add("TEST-broken.xml", "<testsuite><testcase name=\"a\"></testsuite>");
        add("TEST-html.xml", "<html><testcase name=\"a\"/></html>");
        add("TEST-empty.xml", "");
        add("TEST-good.xml", "<testsuite><testcase name=\"a\"/></testsuite>");

        assertThat(reports.summary()).isEqualTo(tests(1, 1, 0, 0));
        List<String> problems = reports.problems();
        assertThat(problems).hasSize(3);
        assertThat(problems.get(0)).startsWith("junit report 'TEST-broken.xml' ignored: not well-formed XML");
        assertThat(problems.get(1)).isEqualTo("junit report 'TEST-html.xml' ignored: root element <html> is not a JUnit report");
        assertThat(problems.get(2)).startsWith("junit report 'TEST-empty.xml' ignored: not well-formed XML");
    }
}
