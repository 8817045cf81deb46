package dev.forge;

import dev.forge.exec.TaskRunner;
import dev.forge.project.ProjectCatalog;
import dev.forge.project.ProjectConfigException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The default adapters {@link Forge} uses when the builder is given none. */
final class ForgeDefaults {

    private ForgeDefaults() {
    }

    static ProjectCatalog emptyCatalog() {
        return new ProjectCatalog() {
            @Override
            public Optional<dev.forge.project.ProjectSpec> find(String name) {
                return Optional.empty();
            }

            @Override
            public List<String> names() {
                return List.of();
            }
        };
    }

    static Path workspaceRoot() {
        return Path.of(System.getProperty("java.io.tmpdir"), "forge-workspaces");
    }

    static TaskRunner buildRunner(Path workspaceRoot) {
        // Replaced by the process build runner when it lands (issue 3).
        return (project, context) -> {
            throw new ProjectConfigException("no build runner configured");
        };
    }

    static TaskRunner analysisRunner(Path workspaceRoot) {
        // Replaced by the analysis pipeline when it lands (issue 5).
        return (project, context) -> {
            throw new ProjectConfigException("no analysis runner configured");
        };
    }
}
