package dev.forge.analysis;

import dev.forge.exec.TaskContext;
import dev.forge.process.Workspaces;
import dev.forge.project.ProjectSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test {@link Workspaces}: the workspace is the project's local source folder itself, and release
 * only records that it happened. Shared with forge-analysis-pmd through the test-jar.
 */
public final class InPlaceWorkspaces implements Workspaces {

    private final List<Path> prepared = new CopyOnWriteArrayList<>();
    private final List<Path> released = new CopyOnWriteArrayList<>();

    @Override
    public Path prepare(ProjectSpec project, TaskContext context) {
        Path dir = ((ProjectSpec.Source.LocalPath) project.source()).dir();
        prepared.add(dir);
        return dir;
    }

    @Override
    public void release(Path workspace, boolean keep) {
        released.add(workspace);
    }

    /** Workspaces handed out so far. */
    public List<Path> prepared() {
        return List.copyOf(prepared);
    }

    /** Workspaces released so far. */
    public List<Path> released() {
        return List.copyOf(released);
    }
}
