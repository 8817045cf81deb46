package dev.forge.analysis;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The 0-10 quality score of an analysis (docs/analysis.md explains the choices):
 *
 * <pre>
 *   weight   = blocker 20, critical 10, major 3, minor 1, info 0   (summed over the findings)
 *   density  = weight / max(1, lines_of_code / 1000)                (weighted findings per KLOC)
 *   base     = 10 * exp(-density / 25)
 *   coverage = 0 when no coverage was measured, else 2 * (1 - coverage_percent / 100)
 *   score    = max(0, base - coverage), rounded half-up to one decimal
 * </pre>
 *
 * 10 means nothing was found and coverage is either unmeasured or full. The score is a pure
 * function of its inputs, so the same code always scores the same, and every term only falls
 * as findings are added (weights are never negative), so a finding never raises it.
 */
final class QualityScore {

    /** Weighted findings per thousand lines at which the findings part has fallen to 10/e. */
    public static final double DENSITY_SCALE = 25.0;
    /** Points the score loses at 0% coverage; linear up to 0 points at 100%. */
    public static final double COVERAGE_POINTS = 2.0;
    /** Projects smaller than this many lines are scored as if they had this many. */
    public static final long MIN_LINES = 1000;
    /** The best score; {@code quality_score_max} in every report. */
    public static final int MAX = 10;

    private QualityScore() {
    }

    /** The weight of one finding of this severity. */
    public static int weight(Severity severity) {
        return switch (Objects.requireNonNull(severity, "severity")) {
            case BLOCKER -> 20;
            case CRITICAL -> 10;
            case MAJOR -> 3;
            case MINOR -> 1;
            case INFO -> 0;
        };
    }

    /**
     * The score.
     *
     * @param findings        every finding of the analysis
     * @param linesOfCode     non-blank lines of source, >= 0
     * @param coveragePercent measured line coverage 0-100, or null when not measured
     * @throws IllegalArgumentException if {@code linesOfCode} is negative
     */
    public static double compute(Collection<Finding> findings, long linesOfCode, Double coveragePercent) {
        return terms(findings, linesOfCode, coveragePercent).score();
    }

    /**
     * The formula's inputs and intermediate terms, so a reader can redo the score by hand:
     * {@code formula}, {@code weights}, {@code findings_weight}, {@code lines_of_code},
     * {@code lines_scored}, {@code density}, {@code findings_part}, {@code coverage_percent},
     * {@code coverage_penalty}, {@code score}, {@code max}. Terms are rounded to 3 decimals.
     */
    public static Map<String, Object> inputs(Collection<Finding> findings, long linesOfCode,
            Double coveragePercent) {
        Terms t = terms(findings, linesOfCode, coveragePercent);
        Map<String, Object> weights = new LinkedHashMap<>();
        for (Severity severity : Severity.values()) {
            weights.put(severity.wireName(), weight(severity));
        }
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("formula", "max(0, 10 * exp(-(findings_weight / (lines_scored / 1000)) / 25)"
                + " - coverage_penalty), rounded half-up to one decimal;"
                + " coverage_penalty = 2 * (1 - coverage_percent / 100), 0 when coverage was not measured;"
                + " lines_scored = max(lines_of_code, 1000)");
        map.put("weights", weights);
        map.put("findings_weight", t.weight());
        map.put("lines_of_code", linesOfCode);
        map.put("lines_scored", Math.max(linesOfCode, MIN_LINES));
        map.put("density", round(t.density(), 3));
        map.put("findings_part", round(t.base(), 3));
        map.put("coverage_percent", coveragePercent);
        map.put("coverage_penalty", round(t.coverage(), 3));
        map.put("score", t.score());
        map.put("max", MAX);
        return map;
    }

    private record Terms(long weight, double density, double base, double coverage, double score) {
    }

    private static Terms terms(Collection<Finding> findings, long linesOfCode, Double coveragePercent) {
        Objects.requireNonNull(findings, "findings");
        if (linesOfCode < 0) {
            throw new IllegalArgumentException("linesOfCode must be >= 0, was " + linesOfCode);
        }
        long weight = 0;
        for (Finding finding : findings) {
            weight += weight(finding.severity());
        }
        double kloc = Math.max(linesOfCode, MIN_LINES) / 1000.0;
        double density = weight / kloc;
        double base = 10.0 * Math.exp(-density / DENSITY_SCALE);
        double coverage = 0;
        if (coveragePercent != null && !coveragePercent.isNaN()) {
            double clamped = Math.max(0, Math.min(100, coveragePercent));
            coverage = COVERAGE_POINTS * (1 - clamped / 100.0);
        }
        double score = round(Math.max(0, base - coverage), 1);
        return new Terms(weight, density, base, coverage, score);
    }

    private static double round(double value, int decimals) {
        return BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
    }
}
