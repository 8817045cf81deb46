package dev.forge.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Confines a build's steps: the build runner opens one {@link Session} per build (after the
 * source was fetched, which forge does itself, outside any sandbox) and wraps each step's argv
 * with {@link Session#command}. Implementations: bubblewrap, util-linux {@code unshare}, none;
 * {@link #detect()} picks the strongest this machine offers.
 */
public interface Sandbox {

    /** Which isolation this sandbox gives. */
    Isolation isolation();

    /** One line for banners and health pages, e.g. what is used and what it lacks. */
    String description();

    /**
     * What {@code policy} asks for that this sandbox cannot give on this machine, each worded
     * for an operator (what is missing and how to get it); empty when the policy is met.
     */
    List<String> gaps(SandboxPolicy policy);

    /**
     * Prepares the confinement of one build in {@code workspace} (e.g. hands the workspace to an
     * unprivileged user, creates a control group). Close the session when the build ends.
     *
     * @throws IOException when the machine refuses (e.g. the workspace cannot be handed over)
     */
    Session open(Path workspace, SandboxPolicy policy) throws IOException;

    /**
     * The strongest sandbox this machine offers. The machine is probed (a trial run, tens of
     * ms) on the first call only; later calls in this JVM share the answer.
     */
    static Sandbox detect() {
        return SandboxProbe.detected();
    }

    /** No confinement: steps run as they are. */
    static Sandbox none() {
        return NoSandbox.INSTANCE;
    }

    /** The confinement of one build. Not thread-safe: a build runs its steps one at a time. */
    interface Session extends AutoCloseable {

        /** The argv that runs {@code argv} confined (the same environment reaches the step). */
        List<String> command(List<String> argv);

        /**
         * After a step ended: the limit it ran into, worded for the task's owner and naming the
         * policy field (e.g. "memory limit of 256 MiB (sandbox.memory_mb) reached"), or empty.
         * A step that hit a limit fails even when its exit code was 0.
         */
        Optional<String> limitReached(int exitCode);

        /** Removes what {@link #open} made; never throws. */
        @Override
        void close();
    }
}
