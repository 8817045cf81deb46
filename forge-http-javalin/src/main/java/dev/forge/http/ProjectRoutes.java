package dev.forge.http;

import dev.forge.project.BuildTools;
import dev.forge.project.ProjectCatalog;
import dev.forge.project.ProjectConfigException;
import dev.forge.project.ProjectSpec;
import io.javalin.http.Context;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /api/projects}: the catalog's projects with their build tool, so a client (the
 * dashboard's form) can offer them. The tool is what a build would run: {@code forge.json}
 * when the project lists its own steps, the tool detected in a local source folder, or null
 * when it cannot be known before fetching (a git source) or nothing was recognised.
 */
final class ProjectRoutes {

    static final String PATH = "/api/projects";

    private final ProjectCatalog catalog;

    ProjectRoutes(ProjectCatalog catalog) {
        this.catalog = catalog;
    }

    void list(Context ctx) {
        List<Map<String, Object>> projects = new ArrayList<>();
        for (String name : catalog.names()) {
            Map<String, Object> project = new LinkedHashMap<>();
            project.put("name", name);
            try {
                Optional<ProjectSpec> spec = catalog.find(name);
                if (spec.isEmpty()) {
                    continue; // removed between listing and reading
                }
                project.put("build_tool", buildTool(spec.get()));
                project.put("source", spec.get().source() instanceof ProjectSpec.Source.Git ? "git" : "local");
                project.put("valid", true);
            } catch (ProjectConfigException e) {
                // listed, so a user sees it exists; a build of it would fail with the same reason
                project.put("build_tool", null);
                project.put("source", null);
                project.put("valid", false);
            }
            projects.add(project);
        }
        Responses.json(ctx, Map.of("projects", projects));
    }

    private static String buildTool(ProjectSpec spec) {
        if (!spec.steps().isEmpty()) {
            return "forge.json";
        }
        if (spec.source() instanceof ProjectSpec.Source.LocalPath local) {
            return toolOf(BuildTools.detect(local.dir()));
        }
        return null;
    }

    /** Names the tool by the program of the first detected step. */
    static String toolOf(List<ProjectSpec.Step> steps) {
        if (steps.isEmpty()) {
            return null;
        }
        String program = Path.of(steps.get(0).run().get(0)).getFileName().toString();
        return switch (program) {
            case "mvn" -> "maven";
            case "gradle", "gradlew" -> "gradle";
            case "npm" -> "npm";
            case "make" -> "make";
            case "cargo" -> "cargo";
            case "go" -> "go";
            default -> program;
        };
    }
}
