package dev.forge.analysis.coverage;

import dev.forge.analysis.AnalysisType;
import dev.forge.analysis.Analyzer;
import dev.forge.analysis.SourceFiles;
import dev.forge.exec.TaskContext;
import dev.forge.project.ProjectSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code coverage} analysis: reads the coverage reports a build left in the workspace
 * (JaCoCo XML, Cobertura XML, LCOV), found by the project's coverage globs, and reports
 * {@code coverage_percent} = covered lines / measured lines * 100, one decimal. Several reports
 * are combined by summing their lines. No report means {@code coverage_percent} is null with a
 * {@code coverage_reason} - never 0, which would claim the tests cover nothing.
 */
public final class CoverageAnalyzer implements Analyzer {

    /** Creates the analyzer. */
    public CoverageAnalyzer() {
    }

    @Override
    public String name() {
        return "coverage";
    }

    @Override
    public Set<AnalysisType> types() {
        return Set.of(AnalysisType.COVERAGE);
    }

    @Override
    public Result analyze(Path workspace, ProjectSpec project, Set<AnalysisType> requested,
            TaskContext context) {
        if (!requested.contains(AnalysisType.COVERAGE)) {
            return new Result(List.of(), Map.of());
        }
        List<Path> files = SourceFiles.matching(workspace, project.reports().coverage());
        if (files.isEmpty()) {
            return unmeasured("no coverage report matched " + project.reports().coverage()
                    + "; run the tests with JaCoCo, Cobertura or LCOV output first", List.of());
        }
        long covered = 0;
        long total = 0;
        List<Double> ratesOnly = new ArrayList<>();
        List<Map<String, Object>> reports = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (Path file : files) {
            String relative = SourceFiles.relativize(workspace, file);
            CoverageReports.Lines lines;
            try {
                lines = CoverageReports.read(file);
            } catch (IOException | IllegalArgumentException e) {
                context.log("coverage: skipped " + relative + ": " + e.getMessage());
                unreadable.add(relative);
                continue;
            }
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("file", relative);
            report.put("format", lines.format().name().toLowerCase(Locale.ROOT));
            if (lines.hasCounts()) {
                covered += lines.covered();
                total += lines.total();
                report.put("lines_covered", lines.covered());
                report.put("lines_total", lines.total());
            } else {
                ratesOnly.add(lines.rate());
                report.put("line_rate", lines.rate());
            }
            reports.add(report);
        }
        if (reports.isEmpty()) {
            return unmeasured("coverage reports were found but none could be read: " + unreadable,
                    reports);
        }
        Map<String, Object> measures = new LinkedHashMap<>();
        if (total > 0) {
            // Reports with only a rate cannot be weighed against counted lines; counts win.
            measures.put("coverage_percent", percent(covered, total));
            measures.put("coverage_lines_covered", covered);
            measures.put("coverage_lines_total", total);
        } else if (!ratesOnly.isEmpty()) {
            double mean = ratesOnly.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            measures.put("coverage_percent", BigDecimal.valueOf(mean * 100)
                    .setScale(1, RoundingMode.HALF_UP).doubleValue());
        } else {
            return unmeasured("the coverage reports measure no lines", reports);
        }
        measures.put("coverage_reports", reports);
        return new Result(List.of(), measures);
    }

    static double percent(long covered, long total) {
        return BigDecimal.valueOf(covered).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(total), 1, RoundingMode.HALF_UP).doubleValue();
    }

    private static Result unmeasured(String reason, List<Map<String, Object>> reports) {
        Map<String, Object> measures = new LinkedHashMap<>();
        measures.put("coverage_percent", null);
        measures.put("coverage_reason", reason);
        measures.put("coverage_reports", reports);
        return new Result(List.of(), measures);
    }
}
