package dev.forge.analysis;

import dev.forge.exec.CancellationSource;
import dev.forge.exec.CancellationToken;
import dev.forge.exec.TaskContext;
import dev.forge.process.ProcessSupervisor;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The classpath a finished build resolved, asked of its build tool: for Maven,
 * {@code mvn -o -B -q dependency:build-classpath -Dmdep.includeScope=test
 * -Dmdep.outputFile=<temp file> -Dmdep.appendOutput=true} run as an argv list in the build's
 * workspace, offline (the build already downloaded what it needs; an analysis downloads nothing),
 * with a time limit. Not getting it is never an error: the analysis goes on with the jars in the
 * workspace and says why in {@code measures.build_classpath}. Other build tools (Gradle has no
 * built-in task that prints the classpath) are not asked.
 */
final class BuildClasspath {

    /** The classpath, and what happened, for {@code measures.build_classpath}. */
    record Resolved(List<Path> entries, Map<String, Object> note) {
    }

    private static final Set<String> INHERITED_ENV = Set.of("PATH", "HOME", "LANG", "JAVA_HOME",
            "MAVEN_HOME", "M2_HOME", "MAVEN_OPTS");

    private BuildClasspath() {
    }

    static Resolved resolve(Path workspace, String maven, Duration timeout, TaskContext context) {
        if (!Files.isRegularFile(workspace.resolve("pom.xml"))) {
            return none("not asked: the build tool is not Maven");
        }
        if (maven == null) {
            return none("not asked: asking Maven is turned off");
        }
        Path output;
        try {
            output = Files.createTempFile("forge-classpath-", ".txt");
        } catch (IOException e) {
            return none("not resolved: no temporary file could be made");
        }
        try {
            List<String> argv = List.of(maven, "-o", "-B", "-q", "dependency:build-classpath",
                    "-Dmdep.includeScope=test", "-Dmdep.outputFile=" + output, "-Dmdep.appendOutput=true");
            context.log("classpath: " + String.join(" ", argv));
            CancellationSource stop = new CancellationSource();
            context.cancellation().onCancel(stop::cancel);
            CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .execute(() -> stop.cancel(CancellationToken.Reason.HARD_TIMEOUT));
            List<String> tail = new ArrayList<>();
            ProcessSupervisor.Result result;
            try {
                result = new ProcessSupervisor(Duration.ZERO, 2000).run(argv, workspace,
                        environment(), stop, line -> {
                            if (tail.size() < 20) {
                                tail.add(line);
                            }
                        });
            } catch (IOException e) {
                return none("not resolved: '" + maven + "' could not be started");
            }
            tail.forEach(line -> context.log("classpath: " + line));
            if (result.stopped()) {
                return none("not resolved: Maven did not finish within " + AnalyzerRunner.human(timeout));
            }
            if (result.exitCode() != 0) {
                return none("not resolved: Maven exited with code " + result.exitCode()
                        + " (offline; are the dependencies in the local repository?)");
            }
            List<Path> entries = parse(Files.readString(output, StandardCharsets.UTF_8));
            Map<String, Object> note = new LinkedHashMap<>();
            note.put("status", "resolved by Maven");
            note.put("entries", entries.size());
            context.log("classpath: " + entries.size() + " entries from Maven");
            return new Resolved(entries, note);
        } catch (IOException e) {
            return none("not resolved: Maven's output could not be read");
        } finally {
            try {
                Files.deleteIfExists(output);
            } catch (IOException e) {
                // a temporary file left behind is harmless
            }
        }
    }

    /** Entries of Maven's output (path-separator separated, one line per module), existing only. */
    static List<Path> parse(String text) {
        Set<Path> entries = new LinkedHashSet<>();
        for (String line : text.split("\\R")) {
            for (String part : line.split(File.pathSeparator)) {
                if (!part.isBlank()) {
                    Path path = Path.of(part.strip());
                    if (Files.exists(path)) {
                        entries.add(path);
                    }
                }
            }
        }
        return List.copyOf(entries);
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String key : INHERITED_ENV) {
            String value = System.getenv(key);
            if (value != null) {
                env.put(key, value);
            }
        }
        env.put("LC_ALL", "C");
        return env;
    }

    private static Resolved none(String why) {
        Map<String, Object> note = new LinkedHashMap<>();
        note.put("status", why);
        note.put("entries", 0);
        return new Resolved(List.of(), note);
    }
}
