package dev.forge;

import dev.forge.analysis.AnalysisConfig;
import dev.forge.analysis.AnalysisPipeline;
import dev.forge.analysis.TaskStoreBaselines;
import dev.forge.builds.BuildRunnerConfig;
import dev.forge.builds.ProcessBuildRunner;
import dev.forge.exec.TaskRunner;
import dev.forge.process.DefaultWorkspaces;
import dev.forge.project.ProjectCatalog;
import dev.forge.store.TaskStore;
import java.nio.file.Path;
import java.time.Duration;

/** The default adapters {@link Forge} uses when the builder is given none. */
final class ForgeDefaults {

    private ForgeDefaults() {
    }

    /** A name unique among nodes without configuration: the process id and 48 random bits. */
    static String nodeId() {
        return "node-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(new java.security.SecureRandom().nextLong() & 0xffff_ffff_ffffL);
    }

    static ProjectCatalog emptyCatalog() {
        return ProjectCatalog.of();
    }

    static Path workspaceRoot() {
        return BuildRunnerConfig.DEFAULT_WORKSPACE_ROOT;
    }

    static TaskRunner buildRunner(Path workspaceRoot, Duration keepBuilds) {
        BuildRunnerConfig config = BuildRunnerConfig.builder().workspaceRoot(workspaceRoot).build();
        return new ProcessBuildRunner(config, DefaultWorkspaces.builder(workspaceRoot)
                .gitExecutable(config.gitExecutable())
                .maxLineLength(config.maxLineLength())
                .keepBuildWorkspaces(keepBuilds)
                .build());
    }

    /** Compares each analysis with the owner's previous one of the project, read from {@code store}. */
    static TaskRunner analysisRunner(Path workspaceRoot, Duration keepBuilds, TaskStore store) {
        return AnalysisPipeline.withDiscoveredAnalyzers(
                DefaultWorkspaces.builder(workspaceRoot).keepBuildWorkspaces(keepBuilds).build(),
                AnalysisConfig.ofDefaults(), new TaskStoreBaselines(store));
    }
}
