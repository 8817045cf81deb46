package dev.forge.analysis.pmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.forge.analysis.AnalysisPipeline;
import dev.forge.analysis.AnalysisType;
import dev.forge.analysis.Finding;
import dev.forge.analysis.InPlaceWorkspaces;
import dev.forge.analysis.PlantedProject;
import dev.forge.exec.RunOutcome;
import dev.forge.project.ProjectSpec;
import dev.forge.testing.RecordingTaskContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import net.sourceforge.pmd.PMDConfiguration;
import net.sourceforge.pmd.PmdAnalysis;
import net.sourceforge.pmd.reporting.Report;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Times forge's PMD analyzer and the whole pipeline on a real codebase - the JDK's own
 * {@code java.util} sources from a local {@code src.zip} - against PMD run directly on the same
 * files with the same rulesets, then the cached re-runs. Off by default (it takes minutes on a
 * busy machine): run with
 * {@code FORGE_BENCHMARK=1 mvn -o test -pl forge-core,forge-analysis-pmd -Dtest=PmdBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class PmdBenchmarkTest {

    private static final List<Path> SOURCE_ZIPS = List.of(
            Path.of("/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip"),
            Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip"),
            Path.of(System.getProperty("java.home"), "lib", "src.zip"));
    private static final String PACKAGE_PREFIX = "java.base/java/util/";
    private static final Set<AnalysisType> BOTH = EnumSet.of(AnalysisType.QUALITY, AnalysisType.SECURITY);

    @TempDir
    Path dir;

    @Test
    void benchmark_javaUtil_pipelineVersusDirectPmdAndCachedRerun() throws IOException {
        assumeTrue(System.getenv("FORGE_BENCHMARK") != null || Boolean.getBoolean("forge.benchmark"),
                "set FORGE_BENCHMARK=1 to run the benchmark");
        Path zip = SOURCE_ZIPS.stream().filter(Files::isRegularFile).findFirst().orElse(null);
        assumeTrue(zip != null, "no JDK src.zip on this machine");
        int files = extract(zip, dir.resolve("src/main/java"));
        long bytes;
        try (var walk = Files.walk(dir)) {
            bytes = walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        int threads = Runtime.getRuntime().availableProcessors();
        List<String> lines = new ArrayList<>();
        lines.add("source: " + zip + " " + PACKAGE_PREFIX + "** - " + files + " files, " + bytes / 1024 + " KiB");
        lines.add("threads: " + threads + ", java " + System.getProperty("java.version") + ", load average at start: "
                + java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        // Warm up class loading and the JIT on the planted project so neither contender pays it alone.
        Path warm = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-warm"));
        PlantedProject.javaSmells(warm);
        PmdAnalyzer.builder().threads(threads).build()
                .analyze(warm, PlantedProject.spec(warm), BOTH, context());
        direct(warm, threads);

        Timed<Report> direct = time(() -> direct(dir, threads));
        lines.add(String.format("PMD directly (PmdAnalysis, same rulesets):   %6d ms, %d violations",
                direct.millis, direct.value.getViolations().size()));

        PmdAnalyzer analyzer = PmdAnalyzer.builder().threads(threads).build();
        ProjectSpec spec = PlantedProject.spec(dir);
        Timed<List<Finding>> first = time(() -> analyzer.analyze(dir, spec, BOTH, context()).findings());
        lines.add(String.format("PmdAnalyzer, first run (empty cache):         %6d ms, %d findings",
                first.millis, first.value.size()));
        Timed<List<Finding>> second = time(() -> analyzer.analyze(dir, spec, BOTH, context()).findings());
        lines.add(String.format("PmdAnalyzer, re-run (unchanged, cached):      %6d ms, %d findings (%.0fx faster)",
                second.millis, second.value.size(), (double) first.millis / Math.max(1, second.millis)));

        // PMD directly once more, so JIT warm-up and machine load are visible as spread.
        Timed<Report> directAgain = time(() -> direct(dir, threads));
        lines.add(String.format("PMD directly, again:                          %6d ms, %d violations",
                directAgain.millis, directAgain.value.getViolations().size()));

        AnalysisPipeline pipeline = AnalysisPipeline.withDiscoveredAnalyzers(new InPlaceWorkspaces());
        Timed<RunOutcome> pipelineFirst = time(() -> pipeline.run(spec, RecordingTaskContext.forAnalysis("jdk", List.of())));
        Timed<RunOutcome> pipelineSecond = time(() -> pipeline.run(spec, RecordingTaskContext.forAnalysis("jdk", List.of())));
        lines.add(String.format("pipeline, all four types, first run:          %6d ms, analyzers %s",
                pipelineFirst.millis, timings(pipelineFirst.value)));
        lines.add(String.format("pipeline, all four types, re-run (cached):    %6d ms, analyzers %s (%.0fx faster)",
                pipelineSecond.millis, timings(pipelineSecond.value),
                (double) pipelineFirst.millis / Math.max(1, pipelineSecond.millis)));
        Map<String, Object> results = pipelineSecond.value.results();
        lines.add("pipeline results: quality_score=" + results.get("quality_score") + " code_smells="
                + results.get("code_smells") + " security_issues=" + ((List<?>) results.get("security_issues")).size()
                + " type_errors=" + results.get("type_errors") + " unresolved_symbols=" + results.get("unresolved_symbols")
                + " lines_of_code=" + ((Map<?, ?>) results.get("measures")).get("lines_of_code"));

        lines.forEach(System.out::println);
        Files.write(Path.of("target", "pmd-benchmark.txt"), lines);

        assertThat(first.value).hasSize(direct.value.getViolations().size());
        assertThat(second.value).containsExactlyInAnyOrderElementsOf(first.value);
        assertThat(second.millis * 10).isLessThan(first.millis);
        assertThat(pipelineSecond.millis * 10).isLessThan(pipelineFirst.millis);
        assertThat(pipelineSecond.value.results()).isEqualTo(withoutTimings(pipelineFirst.value.results(), pipelineSecond.value.results()));
    }

    private static Report direct(Path root, int threads) {
        PMDConfiguration config = new PMDConfiguration();
        config.setIgnoreIncrementalAnalysis(true);
        config.setThreads(threads);
        config.addRuleSet(PmdAnalyzer.QUALITY_RULESET);
        config.addRuleSet(PmdAnalyzer.SECURITY_RULESET);
        config.addInputPath(root.resolve("src"));
        try (PmdAnalysis pmd = PmdAnalysis.create(config)) {
            return pmd.performAnalysisAndCollectReport();
        }
    }

    private static int extract(Path zip, Path target) throws IOException {
        int count = 0;
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            for (ZipEntry entry : java.util.Collections.list(archive.entries())) {
                String name = entry.getName();
                if (!entry.isDirectory() && name.startsWith(PACKAGE_PREFIX) && name.endsWith(".java")) {
                    Path out = target.resolve(name.substring("java.base/".length())).normalize();
                    assertThat(out).startsWithRaw(target);
                    Files.createDirectories(out.getParent());
                    try (InputStream in = archive.getInputStream(entry)) {
                        Files.copy(in, out);
                    }
                    count++;
                }
            }
        }
        return count;
    }

    /** The first run's results with the second run's timings, so only timings may differ. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withoutTimings(Map<String, Object> first, Map<String, Object> second) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>(first);
        Map<String, Object> measures = new java.util.LinkedHashMap<>((Map<String, Object>) first.get("measures"));
        measures.put("timings_ms", ((Map<String, Object>) second.get("measures")).get("timings_ms"));
        copy.put("measures", measures);
        return copy;
    }

    private static Object timings(RunOutcome outcome) {
        return ((Map<?, ?>) outcome.results().get("measures")).get("timings_ms");
    }

    private static RecordingTaskContext context() {
        return RecordingTaskContext.forAnalysis("jdk", List.of());
    }

    private record Timed<T>(T value, long millis) {
    }

    private static <T> Timed<T> time(Supplier<T> work) {
        long start = System.nanoTime();
        T value = work.get();
        return new Timed<>(value, (System.nanoTime() - start) / 1_000_000);
    }
}
