package dev.forge.process;

/** Lets tests of other packages use the supervisor's zombie-aware liveness check. */
public final class ProcessSupervisorAccess {

    private ProcessSupervisorAccess() {
    }

    /** True when the process runs (alive and not a zombie). */
    public static boolean isRunning(ProcessHandle handle) {
        return ProcessSupervisor.isRunning(handle);
    }
}
