package dev.forge.process;

import dev.forge.exec.TaskContext;
import dev.forge.project.ProjectConfigException;
import dev.forge.project.ProjectSpec;
import dev.forge.task.TaskId;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Fetches a project's source into a fresh workspace (clone or copy) and removes it afterwards.
 * Builds and analyses share it, so both see the source the same way.
 */
public interface Workspaces {

    /**
     * Creates a fresh workspace for the context's task holding the project's source.
     *
     * @throws dev.forge.InfrastructureException if the source could not be fetched (retried)
     * @throws ProjectConfigException if the source is misconfigured (e.g. unknown git ref)
     */
    Path prepare(ProjectSpec project, TaskContext context);

    /** Removes a workspace, unless {@code keep} (e.g. keep-on-failure for debugging). */
    void release(Path workspace, boolean keep);

    /**
     * The workspace a finished build left, if it is still kept (see
     * {@link DefaultWorkspaces.Builder#keepBuildWorkspaces}); close it when done reading. The
     * default keeps nothing.
     */
    default Optional<KeptWorkspace> kept(TaskId buildId) {
        return Optional.empty();
    }
}
