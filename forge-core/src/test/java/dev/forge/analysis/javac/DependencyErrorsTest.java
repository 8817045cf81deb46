package dev.forge.analysis.javac;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.analysis.AnalysisPipeline;
import dev.forge.analysis.AnalysisType;
import dev.forge.analysis.Analyzer;
import dev.forge.analysis.InPlaceWorkspaces;
import dev.forge.analysis.PlantedProject;
import dev.forge.exec.RunOutcome;
import dev.forge.testing.RecordingTaskContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every javac error that only says a dependency is missing is unresolved, never a type error. */
class DependencyErrorsTest {

    @TempDir
    Path dir;

    private final RecordingTaskContext context = RecordingTaskContext.forAnalysis("demo", List.of("types"));

    private Analyzer.Result analyze() {
        return new TypeCheckAnalyzer(0).analyze(dir, PlantedProject.spec(dir), Set.of(AnalysisType.TYPES), context);
    }

    @SuppressWarnings("unchecked")
    private static List<String> unresolvedCodes(Analyzer.Result result) {
        return ((List<Map<String, Object>>) result.measures().get("unresolved")).stream()
                .map(u -> (String) u.get("code")).toList();
    }

    private static final String JUNIT_TEST = """
            package demo;

            import static org.junit.jupiter.api.Assertions.*;
            import static org.junit.jupiter.api.Assertions.assertEquals;

            import org.junit.jupiter.api.Test;

            class CalcTest {
                @Test
                void adds() {
                    assertEquals(3, Calc.add(1, 2));
                    assertTrue(Calc.add(1, 1) == 2);
                }
            }
            """;

    private static final String CALC = """
            package demo;

            public final class Calc {
                private Calc() {
                }

                public static int add(int a, int b) {
                    return a + b;
                }
            }
            """;

    @Test
    void staticImportFromMissingClass_staticImpOnlyClassesAndInterfaces_isUnresolved() {
        PlantedProject.write(dir, "src/main/java/demo/Calc.java", CALC);
        PlantedProject.write(dir, "src/test/java/demo/CalcTest.java", JUNIT_TEST);

        Analyzer.Result result = analyze();

        assertThat(unresolvedCodes(result)).contains("compiler.err.static.imp.only.classes.and.interfaces",
                "compiler.err.doesnt.exist", "compiler.err.cant.resolve.location.args");
        assertThat(result.findings()).isEmpty();
        assertThat(result.measures()).containsEntry("type_errors", 0);
    }

    @Test
    void missingAnnotationTypes_cantResolveLocation_areUnresolved() {
        PlantedProject.write(dir, "src/main/java/demo/Entity.java", """
                package demo;

                import lombok.Data;

                @Data
                public class Entity {
                    @Missing int x;
                    @org.mockito.Mock Object mock;
                }
                """);

        Analyzer.Result result = analyze();

        assertThat(unresolvedCodes(result)).contains("compiler.err.cant.resolve", "compiler.err.cant.resolve.location");
        assertThat(result.findings()).isEmpty();
    }

    @Test
    void missingSupertypes_andOverridesOfTheirMethods_areUnresolved() {
        PlantedProject.write(dir, "src/main/java/demo/Legacy.java", """
                package demo;

                import junit.framework.TestCase;

                public class Legacy extends TestCase implements org.foo.Listener {
                    @Override
                    public void onEvent() {
                        assertNotNull(getName());
                    }
                }
                """);

        Analyzer.Result result = analyze();

        assertThat(unresolvedCodes(result)).contains("compiler.err.method.does.not.override.superclass",
                "compiler.err.cant.resolve.location.args");
        assertThat(result.findings()).isEmpty();
    }

    @Test
    void wrongOverrideInAFileWithoutMissingDependencies_staysATypeError() {
        PlantedProject.write(dir, "src/main/java/demo/UsesLib.java", """
                package demo;

                import org.example.lib.Greeter;

                class UsesLib {
                    Greeter greeter;
                }
                """);
        PlantedProject.write(dir, "src/main/java/demo/Own.java", """
                package demo;

                class Own {
                    @Override
                    public String toStrin() {
                        return "typo";
                    }
                }
                """);

        Analyzer.Result result = analyze();

        assertThat(result.findings()).singleElement().satisfies(f -> {
            assertThat(f.ruleId()).isEqualTo("compiler.err.method.does.not.override.superclass");
            assertThat(f.file()).isEqualTo("src/main/java/demo/Own.java");
        });
    }

    @Test
    void mavenProjectWithJUnitStaticImports_scoresAsCleanCodeWould() {
        PlantedProject.write(dir, "pom.xml", "<project><modelVersion>4.0.0</modelVersion>"
                + "<groupId>d</groupId><artifactId>calc</artifactId><version>1</version></project>\n");
        PlantedProject.write(dir, "src/main/java/demo/Calc.java", CALC);
        AnalysisPipeline pipeline = new AnalysisPipeline(new InPlaceWorkspaces(), List.of(new TypeCheckAnalyzer(0)));

        RunOutcome clean = pipeline.run(PlantedProject.spec(dir), RecordingTaskContext.forAnalysis("demo", List.of("types")));
        PlantedProject.write(dir, "src/test/java/demo/CalcTest.java", JUNIT_TEST);
        RunOutcome withTests = pipeline.run(PlantedProject.spec(dir),
                RecordingTaskContext.forAnalysis("demo", List.of("types")));

        assertThat(withTests.results()).containsEntry("type_errors", 0).containsEntry("quality_score", 10.0)
                .containsEntry("quality_score", clean.results().get("quality_score"));
        assertThat((Integer) withTests.results().get("unresolved_symbols")).isPositive();
        assertThat(withTests.results().get("recommendations")).asString().doesNotContain("does not compile");
    }
}
