package dev.forge.analysis.coverage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.analysis.AnalysisType;
import dev.forge.analysis.Analyzer;
import dev.forge.analysis.PlantedProject;
import dev.forge.project.ProjectSpec;
import dev.forge.testing.RecordingTaskContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoverageAnalyzerTest {

    @TempDir
    Path dir;

    private final RecordingTaskContext context = RecordingTaskContext.forAnalysis("demo", List.of("coverage"));

    private Analyzer.Result analyze() {
        return analyze(PlantedProject.spec(dir));
    }

    private Analyzer.Result analyze(ProjectSpec spec) {
        return new CoverageAnalyzer().analyze(dir, spec, Set.of(AnalysisType.COVERAGE), context);
    }

    static final String LCOV = """
            TN:
            SF:src/a.js
            DA:1,1
            DA:2,0
            LF:40
            LH:30
            end_of_record
            SF:src/b.js
            LF:10
            LH:5
            end_of_record
            """;

    @Test
    void analyze_jacocoReport_readsReportLevelLineCounter() {
        PlantedProject.write(dir, PlantedProject.JACOCO, PlantedProject.JACOCO_XML);

        Analyzer.Result result = analyze();

        assertThat(result.measures()).containsEntry("coverage_percent", 75.0)
                .containsEntry("coverage_lines_covered", 75L)
                .containsEntry("coverage_lines_total", 100L);
    }

    @Test
    void analyze_lcov_sumsLinesFoundAndHit() {
        PlantedProject.write(dir, "coverage/lcov.info", LCOV);

        Analyzer.Result result = analyze();

        assertThat(result.measures()).containsEntry("coverage_percent", 70.0)
                .containsEntry("coverage_lines_total", 50L);
    }

    @Test
    void analyze_lcovAtWorkspaceRoot_matchedByDoubleStarGlob() {
        PlantedProject.write(dir, "lcov.info", LCOV);

        assertThat(analyze().measures()).containsEntry("coverage_percent", 70.0);
    }

    @Test
    void analyze_lcovWithoutSummaries_countsDaRecords() {
        PlantedProject.write(dir, "lcov.info", "SF:a.js\nDA:1,3\nDA:2,0\nDA:3,1\nend_of_record\n");

        assertThat(analyze().measures()).containsEntry("coverage_percent", 66.7);
    }

    @Test
    void analyze_severalReports_combinedBySummingLines() {
        PlantedProject.write(dir, PlantedProject.JACOCO, PlantedProject.JACOCO_XML);
        PlantedProject.write(dir, "web/coverage/lcov.info", LCOV);

        Analyzer.Result result = analyze();

        // (75 + 35) / (100 + 50) = 73.33..
        assertThat(result.measures()).containsEntry("coverage_percent", 73.3)
                .containsEntry("coverage_lines_covered", 110L);
        assertThat((List<?>) result.measures().get("coverage_reports")).hasSize(2);
    }

    @Test
    void analyze_coberturaWithCounts_usesLinesCoveredOverLinesValid() {
        PlantedProject.write(dir, "target/site/cobertura/coverage.xml", """
                <?xml version="1.0"?>
                <!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
                <coverage line-rate="0.5" lines-covered="9" lines-valid="12" version="1.9">
                  <packages/>
                </coverage>
                """);

        assertThat(analyze().measures()).containsEntry("coverage_percent", 75.0);
    }

    @Test
    void analyze_coberturaWithOnlyLineElements_countsEachLineOnce() {
        PlantedProject.write(dir, "coverage.xml", """
                <coverage line-rate="0.9">
                  <packages><package name="p"><classes>
                    <class name="A" filename="a.py">
                      <methods><method name="f"><lines><line number="1" hits="1"/></lines></method></methods>
                      <lines><line number="1" hits="1"/><line number="2" hits="0"/><line number="3" hits="2"/><line number="4" hits="0"/></lines>
                    </class>
                  </classes></package></packages>
                </coverage>
                """);

        assertThat(analyze().measures()).containsEntry("coverage_percent", 50.0);
    }

    @Test
    void analyze_coberturaWithOnlyLineRate_usesTheRate() {
        PlantedProject.write(dir, "coverage.xml", "<coverage line-rate=\"0.8125\"/>");

        assertThat(analyze().measures()).containsEntry("coverage_percent", 81.3);
    }

    @Test
    void analyze_noReport_nullWithReasonNotZero() {
        PlantedProject.clean(dir);

        Analyzer.Result result = analyze();

        assertThat(result.measures()).containsEntry("coverage_percent", null);
        assertThat((String) result.measures().get("coverage_reason")).contains("no coverage report");
    }

    @Test
    void analyze_projectGlobs_onlyThoseReportsCount() {
        PlantedProject.write(dir, PlantedProject.JACOCO, PlantedProject.JACOCO_XML);
        PlantedProject.write(dir, "custom/cov.lcov", LCOV);
        ProjectSpec spec = ProjectSpec.builder("demo").localSource(dir)
                .reports(new ProjectSpec.Reports(null, List.of("custom/*.lcov"), null)).build();

        assertThat(analyze(spec).measures()).containsEntry("coverage_percent", 70.0);
    }

    @Test
    void analyze_externalEntity_neverLoaded() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "12345");
        PlantedProject.write(dir, "jacoco.xml", """
                <?xml version="1.0"?>
                <!DOCTYPE report [ <!ENTITY xxe SYSTEM "%s"> ]>
                <report name="&xxe;">
                  <counter type="LINE" missed="1" covered="3"/>
                </report>
                """.formatted(secret.toUri()));

        Analyzer.Result result = analyze();

        assertThat(result.measures()).containsEntry("coverage_percent", null);
        assertThat(result.measures().toString()).doesNotContain("12345");
        assertThat(context.logText()).doesNotContain("12345");
    }

    @Test
    void analyze_malformedReport_skippedWithReason() {
        PlantedProject.write(dir, "jacoco.xml", "<report><counter type=\"LINE\"");

        Analyzer.Result result = analyze();

        assertThat(result.measures()).containsEntry("coverage_percent", null);
        assertThat((String) result.measures().get("coverage_reason")).contains("none could be read");
        assertThat(context.logText()).contains("skipped jacoco.xml");
    }

    @Test
    void analyze_billionLaughs_refusedQuickly() {
        StringBuilder entities = new StringBuilder("<!ENTITY a0 \"lol\">");
        for (int i = 1; i <= 12; i++) {
            entities.append("<!ENTITY a").append(i).append(" \"")
                    .append(("&a" + (i - 1) + ";").repeat(10)).append("\">");
        }
        PlantedProject.write(dir, "jacoco.xml", "<?xml version=\"1.0\"?><!DOCTYPE report [" + entities
                + "]><report name=\"&a12;\"><counter type=\"LINE\" missed=\"1\" covered=\"1\"/></report>");

        Analyzer.Result result = analyze();

        assertThat(result.measures()).containsEntry("coverage_percent", null);
    }
}
