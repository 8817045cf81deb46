package dev.forge.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A benchmark's worker JVM: the same class path, a driver's {@code main}, up when it prints "ready". */
final class WorkerJvm {

    private WorkerJvm() {
    }

    /**
     * Starts {@code java <jvmOptions> -cp <this class path> <main> <args>}, waits until the
     * child prints the line {@code ready}, and keeps its output drained from then on. Options in
     * the environment variable {@code FORGE_BENCH_WORKER_JVM_OPTS} (split at spaces) come first:
     * to profile the workers without a rebuild, e.g. {@code -XX:StartFlightRecording=settings=profile}.
     * The drivers kill their workers with SIGKILL, which writes no recording: dump it while the
     * worker still runs ({@code jcmd <pid> JFR.dump filename=/tmp/worker.jfr}).
     */
    static Process start(List<String> jvmOptions, Class<?> main, String... args) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String extra = System.getenv().getOrDefault("FORGE_BENCH_WORKER_JVM_OPTS", "").strip();
        if (!extra.isEmpty()) {
            argv.addAll(List.of(extra.split("\\s+")));
        }
        argv.addAll(jvmOptions);
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String line;
        while ((line = out.readLine()) != null && !line.equals("ready")) {
            // skip start-up output
        }
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the pipe empty
                }
            } catch (IOException e) {
                // the worker was stopped
            }
        });
        drain.setDaemon(true);
        drain.start();
        return p;
    }
}
