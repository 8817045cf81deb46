package dev.forge.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How this machine's {@code sh} sets the limits a step gets, with its {@code ulimit} builtin, so
 * the sandbox's first program (the {@code sh} that joins the build's cgroups anyway) sets them
 * and no {@code prlimit} process is started per step. Shells disagree on the option for the
 * process limit ({@code dash} and busybox: {@code -p}; {@code bash}: {@code -u}, where {@code -p}
 * is the pipe size) and on the unit of {@code -f} (512 or 1024 bytes), so the options are not
 * assumed: {@link #probe} sets odd values once and reads them back from
 * {@code /proc/self/limits}. Where that fails the sandbox keeps using {@code prlimit}.
 *
 * @param processesOption the option that sets RLIMIT_NPROC ({@code -p} or {@code -u})
 * @param fileSizeUnit    bytes per unit of {@code ulimit -f}
 */
record ShellLimits(String processesOption, long fileSizeUnit) {

    private static final Logger LOG = LoggerFactory.getLogger(ShellLimits.class);
    /** Odd values, so a limit that was not set (or set in another unit) cannot match by chance. */
    static final long PROBE_CPU = 3593;
    static final long PROBE_FILE = 40_961;
    static final long PROBE_DATA_KIB = 262_147;
    static final long PROBE_PROCESSES = 4091;
    /** Sets each limit (soft and hard) and names the option that took the process limit. */
    static final String PROBE = "ulimit -t " + PROBE_CPU + " && ulimit -f " + PROBE_FILE + " && ulimit -d "
            + PROBE_DATA_KIB + " || exit 1; if ulimit -p " + PROBE_PROCESSES + " 2>/dev/null; then echo NPROC=-p; "
            + "elif ulimit -u " + PROBE_PROCESSES + " 2>/dev/null; then echo NPROC=-u; fi; exec cat /proc/self/limits";

    /** What {@code sh} on this machine understands, or empty when it does not set all four exactly. */
    static Optional<ShellLimits> probe(Path sh) {
        try {
            Process process = new ProcessBuilder(sh.toString(), "-c", PROBE).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readNBytes(16_384), StandardCharsets.UTF_8);
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            Optional<ShellLimits> limits = process.exitValue() == 0 ? parse(output) : Optional.empty();
            if (limits.isEmpty()) {
                LOG.debug("{} does not set the step limits as expected, prlimit sets them: {}", sh, output.strip());
            }
            return limits;
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Reads the probe's output: the option line and {@code /proc/self/limits} as the shell left them. */
    static Optional<ShellLimits> parse(String output) {
        String option = null;
        long cpu = -1;
        long file = -1;
        long data = -1;
        long processes = -1;
        for (String line : output.lines().toList()) {
            if (line.startsWith("NPROC=")) {
                option = line.substring("NPROC=".length()).strip();
            } else if (line.startsWith("Max cpu time")) {
                cpu = bothLimits(line);
            } else if (line.startsWith("Max file size")) {
                file = bothLimits(line);
            } else if (line.startsWith("Max data size")) {
                data = bothLimits(line);
            } else if (line.startsWith("Max processes")) {
                processes = bothLimits(line);
            }
        }
        boolean ok = option != null && cpu == PROBE_CPU && data == PROBE_DATA_KIB * 1024
                && processes == PROBE_PROCESSES && (file == PROBE_FILE * 512 || file == PROBE_FILE * 1024);
        return ok ? Optional.of(new ShellLimits(option, file / PROBE_FILE)) : Optional.empty();
    }

    /** The value when soft and hard limit are equal, else -1. */
    private static long bothLimits(String line) {
        String[] parts = line.substring(line.indexOf("  ")).trim().split("\\s+");
        try {
            return parts.length >= 2 && parts[0].equals(parts[1]) ? Long.parseLong(parts[0]) : -1;
        } catch (NumberFormatException e) {
            return -1; // "unlimited"
        }
    }

    /**
     * The {@code option value} pairs for the sandbox's launch script; a 0 leaves that limit off.
     * Values are whole numbers forge computes, never user text.
     */
    List<String> arguments(long cpuSeconds, long fileBytes, long processes, long dataBytes) {
        List<String> pairs = new ArrayList<>();
        if (cpuSeconds > 0) {
            pairs.addAll(List.of("-t", Long.toString(cpuSeconds)));
        }
        if (fileBytes > 0) {
            pairs.addAll(List.of("-f", Long.toString(fileBytes / fileSizeUnit)));
        }
        if (processes > 0) {
            pairs.addAll(List.of(processesOption, Long.toString(processes)));
        }
        if (dataBytes > 0) {
            pairs.addAll(List.of("-d", Long.toString(dataBytes / 1024)));
        }
        return pairs;
    }
}
