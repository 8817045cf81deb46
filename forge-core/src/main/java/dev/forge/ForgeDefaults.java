package dev.forge;

import dev.forge.analysis.AnalysisPipeline;
import dev.forge.build.BuildRunnerConfig;
import dev.forge.build.ProcessBuildRunner;
import dev.forge.exec.TaskRunner;
import dev.forge.process.DefaultWorkspaces;
import dev.forge.project.ProjectCatalog;
import java.nio.file.Path;

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

    static TaskRunner buildRunner(Path workspaceRoot) {
        return new ProcessBuildRunner(BuildRunnerConfig.builder().workspaceRoot(workspaceRoot).build());
    }

    static TaskRunner analysisRunner(Path workspaceRoot) {
        return AnalysisPipeline.withDiscoveredAnalyzers(DefaultWorkspaces.builder(workspaceRoot).build());
    }
}
