package dev.forge.postgres;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A PostgreSQL cluster of a test's own: {@code initdb} into a temporary folder (as the
 * {@code postgres} user when the tests run as root, since PostgreSQL refuses to run as root), on
 * a free port, trust authentication. A test may stop and restart it without disturbing the shared
 * server or anyone's tests on it. Skips the test when the server binaries are not installed,
 * unless {@code FORGE_REQUIRE_POSTGRES=1}.
 */
final class PrivatePostgres implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgresUser;

    private PrivatePostgres(Path bin, Path dir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /** Creates one and starts it. */
    static PrivatePostgres create() throws IOException, InterruptedException {
        Path bin = findBin();
        boolean root = "root".equals(System.getProperty("user.name"));
        String missing = bin == null ? "no PostgreSQL server binaries (initdb, pg_ctl) found"
                : root && !Files.isExecutable(Path.of("/usr/sbin/runuser")) ? "running as root without runuser"
                : null;
        if (missing != null) {
            if ("1".equals(System.getenv("FORGE_REQUIRE_POSTGRES"))) {
                throw new AssertionError(missing + " and FORGE_REQUIRE_POSTGRES=1");
            }
            Assumptions.abort(missing + "; this test is skipped, not passed");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path dir = Files.createTempDirectory("forge-private-pg-");
        PrivatePostgres pg = new PrivatePostgres(bin, dir, port, root);
        if (root) {
            pg.run(List.of("/usr/bin/chown", "postgres:", dir.toString()), false);
        }
        pg.run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"), true);
        pg.start();
        return pg;
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** Stops it as a crash would ({@code pg_ctl stop -m immediate}: no checkpoint, WAL replayed at start). */
    void crash() throws IOException, InterruptedException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data(), "-m", "immediate", "-w", "stop"), true);
    }

    /** Starts it again, on the same port and folder. */
    void start() throws IOException, InterruptedException {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data(), "-l", dir.resolve("server.log").toString(),
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir + " -c fsync=off",
                "-w", "-t", "120", "start"), true);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", data(), "-m", "immediate", "-w", "stop"), true);
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    private String data() {
        return dir.resolve("data").toString();
    }

    private void run(List<String> command, boolean asPostgres) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        if (asPostgres && asPostgresUser) {
            argv.addAll(List.of("/usr/sbin/runuser", "-u", "postgres", "--"));
        }
        argv.addAll(command);
        Path output = Files.createTempFile("forge-pg-command", ".log");
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", argv));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", argv) + " exited with " + process.exitValue()
                        + ": " + Files.readString(output));
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** The newest {@code /usr/lib/postgresql/<version>/bin} with initdb, or one on the PATH. */
    private static Path findBin() throws IOException {
        Path versions = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(versions)) {
            try (Stream<Path> found = Files.list(versions)) {
                List<Path> bins = found.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .sorted(Comparator.comparing(b -> b.getParent().getFileName().toString())).toList();
                if (!bins.isEmpty()) {
                    return bins.get(bins.size() - 1);
                }
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "initdb"))) {
                return Path.of(dir);
            }
        }
        return null;
    }
}
