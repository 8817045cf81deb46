package dev.forge.project;

import java.util.List;
import java.util.Optional;

/** Port: project name to how to fetch, build and report on it. */
public interface ProjectCatalog {

    /**
     * The project with this name, or empty when there is none.
     *
     * @throws ProjectConfigException if the project exists but its configuration is invalid
     */
    Optional<ProjectSpec> find(String name);

    /** Names of the known projects, sorted. */
    List<String> names();

    /**
     * A fixed catalog of these specs, for embedders that configure projects in code.
     *
     * @throws IllegalArgumentException if a name is invalid or appears twice
     */
    static ProjectCatalog of(ProjectSpec... specs) {
        return new InMemoryProjectCatalog(List.of(specs));
    }
}
