package dev.forge.project;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Helpers for tests that run real processes: files, git repositories, process probes. */
public final class Fixtures {

    private Fixtures() {
    }

    /** Writes {@code text} (UTF-8) to {@code dir/relative}, creating folders. */
    public static Path write(Path dir, String relative, String text) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /** Runs a command to completion and fails the test unless it exits 0; returns its output. */
    public static String exec(Path dir, String... argv) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", argv));
        }
        if (process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", argv) + " exited " + process.exitValue()
                    + ":\n" + output);
        }
        return output;
    }

    /**
     * Creates a bare repository {@code <parent>/repo.git} holding the files of {@code work}
     * committed on branch {@code main}, plus {@code extraBranches} pointing at the same commit.
     *
     * @return its {@code file://} URL
     */
    public static String bareRepository(Path parent, Path work, String... extraBranches)
            throws IOException, InterruptedException {
        Path bare = parent.resolve("repo.git");
        exec(parent, "git", "init", "-q", "--bare", "--initial-branch=main", bare.toString());
        exec(work, "git", "init", "-q", "--initial-branch=main");
        exec(work, "git", "add", "-A");
        exec(work, "git", "-c", "user.name=Forge Test", "-c", "user.email=test@forge.invalid",
                "-c", "commit.gpgsign=false", "commit", "-q", "-m", "fixture");
        String url = bare.toUri().toString();
        exec(work, "git", "push", "-q", url, "main");
        for (String branch : extraBranches) {
            exec(work, "git", "push", "-q", url, "main:" + branch);
        }
        return url;
    }

    /**
     * True when the process runs. A zombie does not: a killed grandchild is re-parented to init,
     * which in some containers reaps lazily, and until then the JDK still calls it alive.
     */
    public static boolean running(long pid) {
        boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        if (!alive) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }

    /** Descendants of this JVM whose command ends with {@code /name} (e.g. "sleep"). */
    public static List<ProcessHandle> descendantsNamed(String name) {
        List<ProcessHandle> found = new ArrayList<>();
        ProcessHandle.current().descendants().forEach(handle -> {
            String command = handle.info().command().orElse("");
            if (command.endsWith("/" + name) && running(handle.pid())) {
                found.add(handle);
            }
        });
        return found;
    }

    /** Polls {@code condition} every 10 ms until it holds; false if {@code timeout} passes first. */
    public static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }

    /** Every file and folder under {@code dir}, relative, sorted. */
    public static List<String> listing(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (var paths = Files.walk(dir)) {
            return paths.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted()
                    .toList();
        }
    }
}
