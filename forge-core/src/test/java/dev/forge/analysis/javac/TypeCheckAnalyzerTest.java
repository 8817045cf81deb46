package dev.forge.analysis.javac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.analysis.AnalysisType;
import dev.forge.analysis.Analyzer;
import dev.forge.analysis.Finding;
import dev.forge.analysis.PlantedProject;
import dev.forge.analysis.Severity;
import dev.forge.testing.RecordingTaskContext;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TypeCheckAnalyzerTest {

    @TempDir
    Path dir;

    private final RecordingTaskContext context = RecordingTaskContext.forAnalysis("demo", List.of("types"));

    private Analyzer.Result analyze(TypeCheckAnalyzer analyzer) {
        return analyzer.analyze(dir, PlantedProject.spec(dir), Set.of(AnalysisType.TYPES), context);
    }

    @Test
    void analyze_typeError_reportedWithFileLineAndMessage() {
        PlantedProject.full(dir);

        Analyzer.Result result = analyze(new TypeCheckAnalyzer());

        assertThat(result.findings()).singleElement().satisfies(f -> {
            assertThat(f.file()).isEqualTo(PlantedProject.BROKEN);
            assertThat(f.line()).isEqualTo(PlantedProject.line(dir, PlantedProject.BROKEN, "int x = \"s\";"));
            assertThat(f.ruleId()).isEqualTo("compiler.err.prob.found.req");
            assertThat(f.message()).contains("incompatible types");
            assertThat(f.category()).isEqualTo(AnalysisType.TYPES);
            assertThat(f.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(f.tool()).isEqualTo("javac");
        });
        assertThat(result.measures()).containsEntry("type_errors", 1).containsEntry("unresolved_symbols", 0);
    }

    @Test
    void analyze_cleanCode_zeroErrors() {
        PlantedProject.clean(dir);

        Analyzer.Result result = analyze(new TypeCheckAnalyzer());

        assertThat(result.findings()).isEmpty();
        assertThat(result.measures()).containsEntry("type_errors", 0).containsEntry("java_files", 1);
    }

    @Test
    void analyze_noJavaSources_nullWithReason() throws IOException {
        Files.writeString(dir.resolve("README.md"), "# nothing to compile\n");

        Analyzer.Result result = analyze(new TypeCheckAnalyzer());

        assertThat(result.measures()).containsEntry("type_errors", null);
        assertThat((String) result.measures().get("type_errors_reason")).contains("no Java sources");
    }

    @Test
    void analyze_missingDependency_countedAsUnresolvedNotAsTypeError() {
        PlantedProject.write(dir, "src/main/java/demo/UsesLib.java", """
                package demo;

                import org.example.lib.Greeter;

                public class UsesLib {
                    public String hello() {
                        Greeter greeter = new Greeter();
                        return greeter.greet("x");
                    }
                }
                """);

        Analyzer.Result result = analyze(new TypeCheckAnalyzer());

        assertThat(result.findings()).isEmpty();
        assertThat(result.measures()).containsEntry("type_errors", 0);
        assertThat((Integer) result.measures().get("unresolved_symbols")).isGreaterThanOrEqualTo(1);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> unresolved = (List<Map<String, Object>>) result.measures().get("unresolved");
        assertThat(unresolved).first().satisfies(u -> {
            assertThat(u).containsEntry("file", "src/main/java/demo/UsesLib.java").containsEntry("line", 3);
            assertThat((String) u.get("message")).contains("org.example.lib");
        });
    }

    @Test
    void analyze_dependencyJarInLib_resolvesAndFindsRealErrorBehindIt() throws IOException {
        buildJar(dir.resolve("lib/greeter.jar"), "org.example.lib.Greeter", """
                package org.example.lib;
                public class Greeter {
                    public String greet(String name) { return "hi " + name; }
                }
                """);
        PlantedProject.write(dir, "src/main/java/demo/UsesLib.java", """
                package demo;

                import org.example.lib.Greeter;

                public class UsesLib {
                    public int hello() {
                        return new Greeter().greet("x");
                    }
                }
                """);

        Analyzer.Result result = analyze(new TypeCheckAnalyzer());

        assertThat(result.measures()).containsEntry("unresolved_symbols", 0).containsEntry("classpath_jars", 1);
        assertThat(result.findings()).extracting(Finding::line).containsExactly(7);
        assertThat(result.findings().get(0).message()).contains("String cannot be converted to int");
    }

    @Test
    void analyze_corruptJarOnClasspath_isNotACodeError() throws IOException {
        PlantedProject.clean(dir);
        Files.createDirectories(dir.resolve("lib"));
        Files.writeString(dir.resolve("lib/broken.jar"), "not a zip");

        Analyzer.Result result = analyze(new TypeCheckAnalyzer());

        assertThat(result.findings()).isEmpty();
        assertThat(result.measures().get("type_errors")).isIn(0, null);
    }

    @Test
    void analyze_unknownSymbolWithoutMissingDependencies_isARealError() {
        PlantedProject.write(dir, "src/main/java/demo/Typo.java", """
                package demo;

                public class Typo {
                    public int size() {
                        return lenght;
                    }
                }
                """);

        Analyzer.Result result = analyze(new TypeCheckAnalyzer());

        assertThat(result.measures()).containsEntry("type_errors", 1).containsEntry("unresolved_symbols", 0);
        assertThat(result.findings()).singleElement()
                .satisfies(f -> assertThat(f.ruleId()).startsWith("compiler.err.cant.resolve"));
    }

    @Test
    void analyze_sourcesOfJdkPackages_notMeasuredRatherThanThousandsOfBogusErrors() {
        PlantedProject.write(dir, "src/main/java/java/util/Helper.java", """
                package java.util;

                public class Helper {
                    int size(List<String> list) {
                        return list.size();
                    }
                }
                """);

        Analyzer.Result result = analyze(new TypeCheckAnalyzer());

        assertThat(result.findings()).isEmpty();
        assertThat(result.measures()).containsEntry("type_errors", null);
        assertThat((String) result.measures().get("type_errors_reason")).contains("JDK's own modules")
                .contains("java.util");
    }

    @Test
    void analyze_unchangedSources_compiledOnceThenServedFromCache() throws IOException {
        PlantedProject.full(dir);
        TypeCheckAnalyzer analyzer = new TypeCheckAnalyzer();

        Analyzer.Result first = analyze(analyzer);
        Analyzer.Result second = analyze(analyzer);

        assertThat(analyzer.compilations()).isEqualTo(1);
        assertThat(second).isEqualTo(first);

        Files.writeString(dir.resolve(PlantedProject.BROKEN), PlantedProject.CLEAN_CLASS.replace("Clean", "Broken"));
        Analyzer.Result third = analyze(analyzer);

        assertThat(analyzer.compilations()).isEqualTo(2);
        assertThat(third.measures()).containsEntry("type_errors", 0);
    }

    @Test
    void analyze_cancelledBeforeCompiling_stopsWithoutCaching() {
        PlantedProject.full(dir);
        TypeCheckAnalyzer analyzer = new TypeCheckAnalyzer();
        context.cancellationSource().cancel(dev.forge.exec.CancellationToken.Reason.USER);

        Analyzer.Result result = analyze(analyzer);

        assertThat(result.findings()).isEmpty();
        assertThat(result.measures()).doesNotContainKey("type_errors");
        assertThat(analyzer.compilations()).isZero();
    }

    @Test
    void analyze_typesNotRequested_doesNothing() {
        PlantedProject.full(dir);
        TypeCheckAnalyzer analyzer = new TypeCheckAnalyzer();

        Analyzer.Result result = analyzer.analyze(dir, PlantedProject.spec(dir), Set.of(), context);

        assertThat(result.findings()).isEmpty();
        assertThat(analyzer.compilations()).isZero();
    }

    static void buildJar(Path jar, String className, String source) throws IOException {
        Path src = Files.createTempDirectory("jar-src");
        Path out = Files.createTempDirectory("jar-out");
        Path file = src.resolve(className.substring(className.lastIndexOf('.') + 1) + ".java");
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int exit = javac.run(null, null, null, "-d", out.toString(), file.toString());
        assertThat(exit).isZero();
        Files.createDirectories(jar.getParent());
        String entry = className.replace('.', '/') + ".class";
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream jos = new JarOutputStream(os)) {
            jos.putNextEntry(new JarEntry(entry));
            jos.write(Files.readAllBytes(out.resolve(entry)));
            jos.closeEntry();
        }
    }
}
