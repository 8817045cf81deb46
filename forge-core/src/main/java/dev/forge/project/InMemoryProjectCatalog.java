package dev.forge.project;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A fixed catalog of specs built in code, for embedders that configure projects
 * programmatically (see {@link ProjectCatalog#of}). Immutable and thread-safe.
 */
public final class InMemoryProjectCatalog implements ProjectCatalog {

    private final Map<String, ProjectSpec> projects;

    /**
     * Creates a catalog of these specs.
     *
     * @throws IllegalArgumentException if a name is not {@code [A-Za-z0-9_-]{1,100}} (it could
     *         never be requested) or appears twice
     */
    public InMemoryProjectCatalog(Collection<ProjectSpec> specs) {
        TreeMap<String, ProjectSpec> byName = new TreeMap<>();
        for (ProjectSpec spec : specs) {
            if (!ProjectNames.isValid(spec.name())) {
                throw new IllegalArgumentException("project name must match "
                        + ProjectNames.SHAPE.pattern() + ", was '" + spec.name() + "'");
            }
            if (byName.put(spec.name(), spec) != null) {
                throw new IllegalArgumentException("project '" + spec.name() + "' is defined twice");
            }
        }
        this.projects = java.util.Collections.unmodifiableSortedMap(byName);
    }

    @Override
    public Optional<ProjectSpec> find(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(projects.get(name));
    }

    @Override
    public List<String> names() {
        return List.copyOf(projects.keySet());
    }
}
