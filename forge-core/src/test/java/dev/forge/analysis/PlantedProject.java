package dev.forge.analysis;

import dev.forge.project.ProjectSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes small projects with known, planted problems for analyzer tests; shared with
 * forge-analysis-pmd through the test-jar. {@link #line} finds where a snippet was planted, so
 * tests assert the exact line an analyzer must report.
 */
public final class PlantedProject {

    /** Smells: unused private field, empty catch block, if-nesting 5 deep; security: shell exec. */
    public static final String APP = "src/main/java/demo/App.java";
    /** A type error: {@code int x = "s";}. */
    public static final String BROKEN = "src/main/java/demo/Broken.java";
    /** A hard-coded password. */
    public static final String CONFIG = "src/main/java/demo/Config.java";
    /** An AWS access key id. */
    public static final String PROPERTIES = "src/main/resources/application.properties";
    /** A JaCoCo report, 75 of 100 lines covered. */
    public static final String JACOCO = "target/site/jacoco/jacoco.xml";
    /** A SARIF log from another tool ("semgrep"). */
    public static final String SARIF = "reports/semgrep.sarif";

    /** The planted AWS key id. */
    public static final String AWS_KEY = "AKIAQWERTYUIOPASDFGH";
    /** The planted password. */
    public static final String PASSWORD = "S3cr3t-Pa55phrase!";

    private PlantedProject() {
    }

    /** Clean code: compiles, nothing to report. */
    public static final String CLEAN_CLASS = """
            package demo;

            import java.util.List;

            /** Sums numbers. */
            public final class Clean {

                private final List<Integer> values;

                /** Creates a summer over values. */
                public Clean(List<Integer> values) {
                    this.values = List.copyOf(values);
                }

                /** The sum. */
                public int sum() {
                    int total = 0;
                    for (int value : values) {
                        total += value;
                    }
                    return total;
                }
            }
            """;

    static final String APP_CLASS = """
            package demo;

            import java.io.IOException;
            import java.nio.file.Files;
            import java.nio.file.Path;

            public class App {

                private int neverRead;

                public String load(Path file) {
                    String text = "";
                    try {
                        text = Files.readString(file);
                    } catch (IOException e) {
                    }
                    return text;
                }

                public int classify(int a, int b, int c, int d, int e) {
                    if (a > 0) {
                        if (b > 0) {
                            if (c > 0) {
                                if (d > 0) {
                                    if (e > 0) {
                                        return 5;
                                    }
                                }
                            }
                        }
                    }
                    return 0;
                }

                public Process run(String x) throws IOException {
                    return Runtime.getRuntime().exec("sh -c " + x);
                }
            }
            """;

    static final String BROKEN_CLASS = """
            package demo;

            public class Broken {
                public int value() {
                    int x = "s";
                    return x;
                }
            }
            """;

    static final String CONFIG_CLASS = """
            package demo;

            public class Config {
                static final String USER = "admin";
                static final String password = "%s";
            }
            """.formatted(PASSWORD);

    /** A minimal Maven build file, so {@code target/} is build output. */
    public static final String POM = """
            <project xmlns="http://maven.apache.org/POM/4.0.0">
              <modelVersion>4.0.0</modelVersion>
              <groupId>demo</groupId>
              <artifactId>demo</artifactId>
              <version>1.0</version>
            </project>
            """;

    /** A JaCoCo report with a DOCTYPE, a package-level counter and the report-level 75/100. */
    public static final String JACOCO_XML = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">
            <report name="demo">
              <sessioninfo id="s" start="1" dump="2"/>
              <package name="demo">
                <class name="demo/App" sourcefilename="App.java">
                  <counter type="LINE" missed="20" covered="10"/>
                </class>
                <counter type="LINE" missed="20" covered="10"/>
              </package>
              <counter type="INSTRUCTION" missed="100" covered="300"/>
              <counter type="LINE" missed="25" covered="75"/>
              <counter type="BRANCH" missed="3" covered="5"/>
            </report>
            """;

    /** SARIF from another tool: a security error in App.java and a quality warning. */
    public static final String SARIF_LOG = """
            {
              "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
              "version": "2.1.0",
              "runs": [{
                "tool": {"driver": {"name": "semgrep", "rules": [
                  {"id": "java.lang.security.audit.command-injection",
                   "shortDescription": {"text": "command injection"},
                   "properties": {"tags": ["security", "CWE-78"]}},
                  {"id": "java.best-practice.unused-import",
                   "defaultConfiguration": {"level": "warning"}}
                ]}},
                "results": [
                  {"ruleId": "java.lang.security.audit.command-injection", "ruleIndex": 0, "level": "error",
                   "message": {"text": "User input reaches Runtime.exec"},
                   "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/main/java/demo/App.java",
                     "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 36}}}]},
                  {"ruleId": "java.best-practice.unused-import", "ruleIndex": 1,
                   "message": {"text": "Unused import"},
                   "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/main/java/demo/App.java"},
                     "region": {"startLine": 3}}}]},
                  {"ruleId": "java.best-practice.unused-import", "ruleIndex": 1,
                   "message": {"text": "suppressed one"}, "suppressions": [{"kind": "inSource"}],
                   "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/main/java/demo/App.java"},
                     "region": {"startLine": 4}}}]}
                ]
              }]
            }
            """;

    /** A project whose only source is {@link #CLEAN_CLASS}. */
    public static Path clean(Path dir) {
        write(dir, "src/main/java/demo/Clean.java", CLEAN_CLASS);
        return dir;
    }

    /** A project with every planted problem. */
    public static Path full(Path dir) {
        write(dir, "pom.xml", POM);
        write(dir, APP, APP_CLASS);
        write(dir, BROKEN, BROKEN_CLASS);
        write(dir, CONFIG, CONFIG_CLASS);
        write(dir, PROPERTIES, "app.name=demo\naws.access.key.id=" + AWS_KEY + "\n");
        write(dir, JACOCO, JACOCO_XML);
        write(dir, SARIF, SARIF_LOG);
        return dir;
    }

    /** Only the Java sources of {@link #full}, without reports or secrets. */
    public static Path javaSmells(Path dir) {
        write(dir, APP, APP_CLASS);
        return dir;
    }

    /** A project spec over {@code dir} with default report globs. */
    public static ProjectSpec spec(Path dir) {
        return ProjectSpec.builder("demo").localSource(dir).build();
    }

    /** Writes {@code content} to {@code relative} under {@code root}, creating folders. */
    public static Path write(Path root, String relative, String content) {
        try {
            Path file = root.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 1-based line of {@code relative} under {@code root} that holds {@code snippet}. */
    public static int line(Path root, String relative, String snippet) {
        try {
            List<String> lines = Files.readAllLines(root.resolve(relative), StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains(snippet)) {
                    return i + 1;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("'" + snippet + "' is not in " + relative);
    }
}
