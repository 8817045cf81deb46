package dev.forge.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * CPU time used by this driver JVM, its worker JVMs and the server's processes (Redis or
 * PostgreSQL), read from the operating system: taken before and after a measured phase, it gives
 * the CPU each job cost each side. On two cores the jobs/s of a run is set by the sum, so this
 * says where to cut; it also holds still when another process takes a core, where jobs/s does not.
 */
record ProcessCpu(long driverNanos, long workersNanos, long serverNanos) {

    /** Now, for this JVM, {@code workers}, and every process named {@code server} ({@code /proc/<pid>/comm}). */
    static ProcessCpu sample(List<Process> workers, String server) {
        long workersNanos = 0;
        for (Process worker : workers) {
            workersNanos += cpuNanos(worker.toHandle());
        }
        long serverNanos = ProcessHandle.allProcesses()
                .filter(p -> server.equals(name(p)))
                .mapToLong(ProcessCpu::cpuNanos).sum();
        return new ProcessCpu(cpuNanos(ProcessHandle.current()), workersNanos, serverNanos);
    }

    /**
     * A process's name as the kernel keeps it: Debian's redis-server is a link to
     * redis-check-rdb, so the command's path does not tell.
     */
    private static String name(ProcessHandle process) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(process.pid()), "comm")).strip();
        } catch (IOException | RuntimeException e) {
            return ""; // gone, or not Linux
        }
    }

    /** The line a driver prints: CPU per job in µs since {@code before}, per side and in all. */
    String perJobSince(ProcessCpu before, int jobs, String serverName) {
        double driver = (driverNanos - before.driverNanos) / 1e3 / jobs;
        double workers = (workersNanos - before.workersNanos) / 1e3 / jobs;
        double server = (serverNanos - before.serverNanos) / 1e3 / jobs;
        return String.format("CPU per job, us: driver %.0f, worker JVMs %.0f, %s %.0f; all %.0f",
                driver, workers, serverName, server, driver + workers + server);
    }

    private static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
}
