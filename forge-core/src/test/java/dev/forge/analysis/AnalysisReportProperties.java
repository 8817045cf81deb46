package dev.forge.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.store.JsonTree;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The typed analysis report and its JSON form are one: what a store gives back of
 * {@link AnalysisReport#toMap()} reads back as an equal report, and its map again as the same map.
 */
class AnalysisReportProperties {

    @Property(tries = 300)
    void toMap_thenAStoreRoundTrip_thenFromMap_isTheSameReport(@ForAll("reports") AnalysisReport report) {
        Map<String, Object> stored = JsonTree.snapshot(report.toMap());

        AnalysisReport back = AnalysisReport.fromMap(stored);

        assertThat(back).isEqualTo(report);
        assertThat(JsonTree.snapshot(back.toMap())).isEqualTo(stored);
    }

    @Provide
    Arbitrary<AnalysisReport> reports() {
        Arbitrary<String> text = Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12);
        Arbitrary<Finding> finding = Combinators.combine(text, Arbitraries.of(AnalysisType.class),
                Arbitraries.of(Severity.class), text.injectNull(0.3), Arbitraries.integers().between(0, 5000), text,
                text).as(Finding::new);
        Arbitrary<AnalysisReport.ListedFinding> listed = Combinators.combine(finding, text.injectNull(0.3),
                Arbitraries.of("new", "unchanged").injectNull(0.3)).as(AnalysisReport.ListedFinding::new);
        Arbitrary<AnalysisReport.CoverageGap> gap = Combinators.combine(Arbitraries.of(AnalysisType.class), text)
                .as(AnalysisReport.CoverageGap::new);
        Arbitrary<Integer> typeErrors = Arbitraries.integers().between(0, 100).injectNull(0.4);
        Arbitrary<Double> coverage = Arbitraries.doubles().between(0, 100).ofScale(1).injectNull(0.4);
        Arbitrary<AnalysisReport.BaselineComparison> baseline = Arbitraries.oneOf(
                Arbitraries.just(null),
                Arbitraries.just(new AnalysisReport.BaselineComparison(null, List.of(), null, "no baseline")),
                Arbitraries.integers().between(0, 9).map(n -> new AnalysisReport.BaselineComparison(n,
                        List.of(Map.of("rule", "r", "line", 3)), Map.of("analysis_id", "a-1"), null)));
        return Combinators.combine(
                        Arbitraries.doubles().between(0, 10).ofScale(1), finding.list().ofMaxSize(3),
                        typeErrors, coverage, listed.list().ofMaxSize(4), baseline, gap.list().ofMaxSize(3),
                        Arbitraries.subsetOf(AnalysisType.values()))
                .as((score, security, errors, percent, findings, comparison, gaps, types) -> {
                    List<Finding> issues = security.stream().map(f -> new Finding(f.ruleId(), AnalysisType.SECURITY,
                            f.severity(), f.file(), f.line(), f.message(), f.tool())).toList();
                    return new AnalysisReport(score, QualityScore.MAX, issues, findings.size(), errors,
                            errors == null ? "types analysis was not requested" : null, 0, percent,
                            percent == null ? "no coverage report" : null, List.of("fix the worst first"),
                            findings, findings.size() + 2, comparison,
                            Map.of("r", new RuleInfo("a rule", "a fix", null)), Map.of("lines_of_code", 10),
                            Map.of("files", 1), List.of("secrets"),
                            List.of(new AnalysisReport.AnalyzerError("javac", "failed")), gaps,
                            new ArrayList<>(types).stream().sorted().toList(), null, null);
                });
    }
}
