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
    private static final int ROUNDS = 3;
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
        lines.add("java.util: " + zip + " " + PACKAGE_PREFIX + "** - " + files + " files, " + bytes / 1024 + " KiB");
        lines.add("threads: " + threads + ", java " + System.getProperty("java.version") + ", load average at start: "
                + java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        // Warm up class loading and the JIT with one untimed full run, so no contender pays it alone.
        PmdAnalyzer.builder().threads(threads).build().analyze(dir, PlantedProject.spec(dir), BOTH, context());

        // Alternate the contenders for a few rounds: machine load moves during a run, and the
        // spread of each side shows how much of a difference is noise.
        ProjectSpec spec = PlantedProject.spec(dir);
        List<Long> directTimes = new ArrayList<>();
        List<Long> analyzerTimes = new ArrayList<>();
        Report report = null;
        List<Finding> firstFindings = null;
        PmdAnalyzer analyzer = null;
        for (int round = 0; round < ROUNDS; round++) {
            Timed<Report> direct = time(() -> direct(dir, threads));
            directTimes.add(direct.millis);
            report = direct.value;
            PmdAnalyzer fresh = PmdAnalyzer.builder().threads(threads).build();
            Timed<List<Finding>> first = time(() -> fresh.analyze(dir, spec, BOTH, context()).findings());
            analyzerTimes.add(first.millis);
            firstFindings = first.value;
            analyzer = fresh;
        }
        lines.add(String.format("PMD directly (PmdAnalysis, same rulesets):    median %6d ms, runs %s, %d violations",
                median(directTimes), directTimes, report.getViolations().size()));
        lines.add(String.format("PmdAnalyzer, first run (empty cache):         median %6d ms, runs %s, %d findings",
                median(analyzerTimes), analyzerTimes, firstFindings.size()));
        PmdAnalyzer cachedAnalyzer = analyzer;
        Timed<List<Finding>> second = time(() -> cachedAnalyzer.analyze(dir, spec, BOTH, context()).findings());
        long firstMedian = median(analyzerTimes);
        lines.add(String.format("PmdAnalyzer, re-run (unchanged, cached):             %6d ms, %d findings (%.0fx faster than the median first run)",
                second.millis, second.value.size(), (double) firstMedian / Math.max(1, second.millis)));

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

        lines.addAll(forgeCoreOwnSources());
        lines.forEach(System.out::println);
        Files.write(Path.of("target", "pmd-benchmark.txt"), lines);

        assertThat(firstFindings).hasSize(report.getViolations().size());
        assertThat(second.value).containsExactlyInAnyOrderElementsOf(firstFindings);
        assertThat(second.millis * 10).isLessThan(firstMedian);
        assertThat(pipelineSecond.millis * 10).isLessThan(pipelineFirst.millis);
        assertThat(pipelineSecond.value.results()).isEqualTo(withoutTimings(pipelineFirst.value.results(), pipelineSecond.value.results()));
    }

    /**
     * The pipeline on an ordinary project that compiles: forge-core's own main sources, with the
     * jars of this test's class path in {@code lib/} so the type check resolves everything.
     */
    private List<String> forgeCoreOwnSources() throws IOException {
        Path sources = Path.of("..", "forge-core", "src", "main", "java").toAbsolutePath().normalize();
        if (!Files.isDirectory(sources)) {
            return List.of("forge-core sources not found at " + sources);
        }
        Path project = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-forge-core"));
        try (var walk = Files.walk(sources)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                Path out = project.resolve("src/main/java").resolve(sources.relativize(file).toString());
                Files.createDirectories(out.getParent());
                Files.copy(file, out);
            }
        }
        Path lib = Files.createDirectories(project.resolve("lib"));
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path jar = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(jar)) {
                Files.copy(jar, lib.resolve(jar.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        AnalysisPipeline pipeline = AnalysisPipeline.withDiscoveredAnalyzers(new InPlaceWorkspaces());
        ProjectSpec spec = PlantedProject.spec(project);
        Timed<RunOutcome> first = time(() -> pipeline.run(spec, RecordingTaskContext.forAnalysis("forge", List.of())));
        Timed<RunOutcome> second = time(() -> pipeline.run(spec, RecordingTaskContext.forAnalysis("forge", List.of())));
        Map<String, Object> results = first.value.results();
        Map<?, ?> measures = (Map<?, ?>) results.get("measures");
        assertThat(second.millis * 10).isLessThan(first.millis);
        return List.of(
                String.format("forge-core's own main sources: %s Java files, %s lines, %s jars in lib/",
                        measures.get("java_files"), measures.get("lines_of_code"), measures.get("classpath_jars")),
                String.format("pipeline, all four types, first run:          %6d ms, analyzers %s",
                        first.millis, timings(first.value)),
                String.format("pipeline, all four types, re-run (cached):    %6d ms, analyzers %s (%.0fx faster)",
                        second.millis, timings(second.value), (double) first.millis / Math.max(1, second.millis)),
                "pipeline results: quality_score=" + results.get("quality_score") + " code_smells="
                        + results.get("code_smells") + " security_issues="
                        + ((List<?>) results.get("security_issues")).size() + " type_errors="
                        + results.get("type_errors") + " unresolved_symbols=" + results.get("unresolved_symbols"),
                "unresolved, first 3: " + ((List<?>) measures.get("unresolved")).stream().limit(3).toList());
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

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
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
