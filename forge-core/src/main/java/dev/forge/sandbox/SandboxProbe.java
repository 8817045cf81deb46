package dev.forge.sandbox;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds the tools on this machine and tries them once, so a broken setup is known at start. */
final class SandboxProbe {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxProbe.class);
    static final String INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: apt-get install -y bubblewrap; "
            + "Fedora/RHEL: dnf install -y bubblewrap; Alpine: apk add bubblewrap)";

    private static volatile Sandbox detected;

    private SandboxProbe() {
    }

    static Sandbox detected() {
        Sandbox result = detected;
        if (result == null) {
            synchronized (SandboxProbe.class) {
                result = detected;
                if (result == null) {
                    result = detect(System.getenv("PATH"));
                    detected = result;
                }
            }
        }
        return result;
    }

    static Sandbox detect(String path) {
        Optional<Path> prlimit = find(path, "prlimit");
        Optional<Path> setpriv = find(path, "setpriv");
        Optional<Path> sh = find(path, "sh");
        if (prlimit.isEmpty() || sh.isEmpty()) {
            LOG.warn("no sandbox: prlimit or sh is missing (util-linux); {}", INSTALL_HINT);
            return Sandbox.none();
        }
        boolean root = ownUid() == 0;
        if (root && setpriv.isEmpty()) {
            LOG.warn("no sandbox: setpriv (util-linux) is missing, so builds would run as root");
            return Sandbox.none();
        }
        Tools tools = new Tools(sh.get(), prlimit.get(), setpriv.orElse(null),
                ShellLimits.probe(sh.get()).orElse(null));
        // a range per forge process (by pid), so two forge processes on one host rarely share ids
        BuildUsers users = root ? new BuildUsers(BuildUsers.DEFAULT_BASE
                + (int) (ProcessHandle.current().pid() % 4096) * BuildUsers.DEFAULT_COUNT, BuildUsers.DEFAULT_COUNT)
                : null;
        Optional<Cgroups> cgroups = Cgroups.detect();
        List<String> problems = new ArrayList<>();
        Optional<Path> bwrap = find(path, "bwrap");
        if (bwrap.isPresent()) {
            LinuxSandbox box = new LinuxSandbox(Isolation.BUBBLEWRAP, bwrap.get(), tools, users,
                    cgroups.orElse(null));
            String failure = tryRun(box);
            if (failure == null) {
                return box;
            }
            problems.add("bubblewrap does not work here (" + failure + ")");
        } else {
            problems.add("bubblewrap is not installed");
        }
        Optional<Path> unshare = find(path, "unshare");
        if (unshare.isPresent()) {
            LinuxSandbox box = new LinuxSandbox(Isolation.UNSHARE, unshare.get(), tools, users,
                    cgroups.orElse(null));
            String failure = tryRun(box);
            if (failure == null) {
                LOG.warn("sandbox falls back to unshare: {}; {}", String.join("; ", problems), INSTALL_HINT);
                return box.withProblems(problems);
            }
            problems.add("unshare does not work here (" + failure + ")");
        }
        LOG.warn("no sandbox: {}; {}", String.join("; ", problems), INSTALL_HINT);
        return Sandbox.none();
    }

    /** Runs {@code true} in the sandbox; null when that worked, else the first error line. */
    private static String tryRun(LinuxSandbox box) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("forge-sandbox-probe-");
            try (Sandbox.Session session = box.open(dir, SandboxPolicy.defaults())) {
                ProcessBuilder builder = new ProcessBuilder(session.command(List.of("true")))
                        .directory(dir.toFile()).redirectErrorStream(true);
                builder.environment().clear();
                builder.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
                Process process = builder.start();
                byte[] output = process.getInputStream().readNBytes(4096);
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    return "it did not finish within 20 s";
                }
                if (process.exitValue() == 0) {
                    return null;
                }
                String text = new String(output, StandardCharsets.UTF_8).strip();
                int newline = text.indexOf('\n');
                return "exit code " + process.exitValue() + ": " + (newline < 0 ? text : text.substring(0, newline));
            }
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            if (dir != null) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    LOG.debug("could not delete {}: {}", dir, e.toString());
                }
            }
        }
    }

    static Optional<Path> find(String path, String program) {
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** forge's effective user id: the owner of /proc/self. */
    static int ownUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The helper programs every Linux sandbox uses.
     *
     * @param sh          the shell that starts each step
     * @param prlimit     sets the limits where the shell cannot
     * @param setpriv     changes to the build user (needed when forge runs as root)
     * @param shellLimits how {@code sh} sets the limits itself, or null to use {@code prlimit}
     */
    record Tools(Path sh, Path prlimit, Path setpriv, ShellLimits shellLimits) {
    }
}
