package dev.forge.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Embedding the core" snippet is code, not prose: this test takes the first
 * {@code java} block of that section, compiles it (imports as written, the rest inside a class)
 * against the test class path and runs its {@code main} on the bundled samples.
 */
class ReadmeSnippetTest {

    private static final Pattern SECTION = Pattern.compile(
            "## Embedding the core\\R(.*?)\\R## ", Pattern.DOTALL);
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\R(.*?)```", Pattern.DOTALL);

    static String snippet() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher section = SECTION.matcher(readme);
        assertThat(section.find()).as("README has an 'Embedding the core' section").isTrue();
        Matcher block = JAVA_BLOCK.matcher(section.group(1));
        assertThat(block.find()).as("the section has a java block").isTrue();
        return block.group(1);
    }

    @Test
    void readmeSnippet_compilesAndBuildsAndAnalysesTheSample(@TempDir Path dir) throws Exception {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : snippet().split("\\R")) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        Path source = dir.resolve("ReadmeSnippet.java");
        Files.writeString(source, imports + "public final class ReadmeSnippet {\n" + body + "}\n");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("-d", dir.toString(), "-classpath",
                System.getProperty("java.class.path"), source.toString()));
        int compiled = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        assertThat(compiled).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

        Path projects = SampleProjects.extract();
        PrintStream original = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                ReadmeSnippetTest.class.getClassLoader())) {
            Method main = loader.loadClass("ReadmeSnippet").getMethod("main", String[].class);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[] {projects.toString()});
        } finally {
            System.setOut(original);
            SampleProjects.deleteTree(projects);
        }

        String out = printed.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("3 tests passed, artifacts [")
                .containsPattern("quality [0-9.]+ of 10, not covered: \\[\\]");
    }
}
