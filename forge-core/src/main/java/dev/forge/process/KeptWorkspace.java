package dev.forge.process;

import java.nio.file.Path;

/**
 * A finished build's workspace, held open for reading (e.g. by an analysis of that build).
 * While any holder has it open, retention does not delete it; {@link #close()} lets go.
 */
public interface KeptWorkspace extends AutoCloseable {

    /** The workspace folder, as the build left it. Read it; do not change it. */
    Path path();

    /** Lets go of the workspace; idempotent. */
    @Override
    void close();
}
