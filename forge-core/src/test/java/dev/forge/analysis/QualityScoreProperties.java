package dev.forge.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class QualityScoreProperties {

    @Property(tries = 300)
    void compute_addingAFinding_neverRaisesTheScore(
            @ForAll("findings") @Size(max = 60) List<Finding> findings,
            @ForAll("finding") Finding added,
            @ForAll @LongRange(min = 0, max = 2_000_000) long lines,
            @ForAll("coverage") Double coverage) {
        List<Finding> more = new ArrayList<>(findings);
        more.add(added);

        assertThat(QualityScore.compute(more, lines, coverage))
                .isLessThanOrEqualTo(QualityScore.compute(findings, lines, coverage));
    }

    @Property(tries = 300)
    void compute_alwaysBetweenZeroAndTenWithOneDecimal(
            @ForAll("findings") @Size(max = 200) List<Finding> findings,
            @ForAll @LongRange(min = 0, max = 2_000_000) long lines,
            @ForAll("coverage") Double coverage) {
        double score = QualityScore.compute(findings, lines, coverage);

        assertThat(score).isBetween(0.0, 10.0);
        assertThat(Math.abs(score * 10 - Math.round(score * 10))).isLessThan(1e-9);
    }

    @Property(tries = 300)
    void compute_moreCoverage_neverLowersTheScore(
            @ForAll("findings") @Size(max = 30) List<Finding> findings,
            @ForAll @DoubleRange(min = 0, max = 100) double low,
            @ForAll @DoubleRange(min = 0, max = 100) double high) {
        double a = Math.min(low, high);
        double b = Math.max(low, high);

        assertThat(QualityScore.compute(findings, 5000, b))
                .isGreaterThanOrEqualTo(QualityScore.compute(findings, 5000, a));
    }

    @Property(tries = 300)
    void compute_sameInputs_sameScore(@ForAll("findings") @Size(max = 50) List<Finding> findings,
            @ForAll @LongRange(min = 0, max = 100_000) long lines) {
        assertThat(QualityScore.compute(List.copyOf(findings), lines, null))
                .isEqualTo(QualityScore.compute(findings, lines, null));
    }

    @Example
    void compute_nothingFound_scoresTen() {
        assertThat(QualityScore.compute(List.of(), 12_345, null)).isEqualTo(10.0);
        assertThat(QualityScore.compute(List.of(), 12_345, 100.0)).isEqualTo(10.0);
        assertThat(QualityScore.compute(List.of(), 0, null)).isEqualTo(10.0);
    }

    @Example
    void compute_documentedExamples() {
        Finding critical = finding(Severity.CRITICAL);
        Finding minor = finding(Severity.MINOR);
        // 1 critical in a small project: density 10 -> 10 * e^-0.4 = 6.70
        assertThat(QualityScore.compute(List.of(critical), 200, null)).isEqualTo(6.7);
        // 50 minor in 10 KLOC: density 5 -> 10 * e^-0.2 = 8.19
        assertThat(QualityScore.compute(java.util.Collections.nCopies(50, minor), 10_000, null)).isEqualTo(8.2);
        // nothing found, 75% coverage: 10 - 2 * 0.25
        assertThat(QualityScore.compute(List.of(), 10_000, 75.0)).isEqualTo(9.5);
        // info findings weigh nothing
        assertThat(QualityScore.compute(List.of(finding(Severity.INFO)), 100, null)).isEqualTo(10.0);
    }

    @Provide
    Arbitrary<List<Finding>> findings() {
        return finding().list();
    }

    @Provide
    Arbitrary<Finding> finding() {
        return Arbitraries.of(Severity.class).map(QualityScoreProperties::finding);
    }

    @Provide
    Arbitrary<Double> coverage() {
        return Arbitraries.doubles().between(0, 100).injectNull(0.3);
    }

    private static Finding finding(Severity severity) {
        return new Finding("Rule", AnalysisType.QUALITY, severity, "A.java", 1, "m", "test");
    }
}
