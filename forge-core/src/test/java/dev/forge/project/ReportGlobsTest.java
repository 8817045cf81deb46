package dev.forge.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportGlobsTest {

    @TempDir
    Path ws;

    @Test
    void find_defaultJunitGlobs_coverSurefireGradleAndGenericReports_eachOnce() throws IOException {
        Fixtures.write(ws, "target/surefire-reports/TEST-a.AppTest.xml", "<testsuite/>");
        Fixtures.write(ws, "lib/build/test-results/test/TEST-b.LibTest.xml", "<testsuite/>");
        Fixtures.write(ws, "TEST-root.xml", "<testsuite/>");
        Fixtures.write(ws, "target/surefire-reports/a.AppTest.txt", "");
        Fixtures.write(ws, "node_modules/pkg/TEST-shipped.xml", "<testsuite/>");
        Fixtures.write(ws, ".git/TEST-hidden.xml", "<testsuite/>");

        List<Path> found = ReportGlobs.find(ws, ProjectSpec.Reports.DEFAULT_JUNIT);

        assertThat(found).extracting(Path::toString).containsExactly(
                "TEST-root.xml",
                "lib/build/test-results/test/TEST-b.LibTest.xml",
                "target/surefire-reports/TEST-a.AppTest.xml");
    }

    @Test
    void find_doesNotFollowSymbolicLinks() throws IOException {
        Path outside = Files.createDirectories(ws.resolveSibling(ws.getFileName() + "-outside"));
        try {
            Fixtures.write(outside, "TEST-outside.xml", "<testsuite/>");
            Files.createSymbolicLink(ws.resolve("link"), outside);
            Files.createSymbolicLink(ws.resolve("TEST-link.xml"), outside.resolve("TEST-outside.xml"));

            assertThat(ReportGlobs.find(ws, List.of("**/TEST-*.xml"))).isEmpty();
        } finally {
            Files.delete(outside.resolve("TEST-outside.xml"));
            Files.delete(outside);
        }
    }

    @Test
    void find_noGlobsOrNoWorkspace_findsNothing() throws IOException {
        Fixtures.write(ws, "TEST-a.xml", "");

        assertThat(ReportGlobs.find(ws, List.of())).isEmpty();
        assertThat(ReportGlobs.find(ws.resolve("missing"), List.of("*"))).isEmpty();
    }

    @Test
    void problem_namesWhatIsWrongWithAGlob() {
        assertThat(ReportGlobs.problem("**/TEST-*.xml")).isNull();
        assertThat(ReportGlobs.problem("")).isEqualTo("must be a non-empty glob");
        assertThat(ReportGlobs.problem("/etc/*")).isEqualTo("must be relative to the workspace");
        assertThat(ReportGlobs.problem("a/../../b")).isEqualTo("must not contain '..'");
        assertThat(ReportGlobs.problem("{a,b")).isEqualTo("is not a valid glob");
    }
}
