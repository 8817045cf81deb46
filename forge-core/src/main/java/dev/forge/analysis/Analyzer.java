package dev.forge.analysis;

import dev.forge.exec.TaskContext;
import dev.forge.project.ProjectSpec;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Port: looks at a workspace and reports findings and measures. Implementations found through
 * {@link java.util.ServiceLoader} are added to the built-in ones.
 */
public interface Analyzer {

    /** Short stable name, e.g. {@code pmd}. */
    String name();

    /** The analysis types this analyzer contributes to. */
    Set<AnalysisType> types();

    /**
     * Analyzes the workspace for the requested types (a subset of {@link #types()}).
     *
     * @throws dev.forge.InfrastructureException if the analyzer itself could not run
     */
    Result analyze(Path workspace, ProjectSpec project, Set<AnalysisType> requested,
            TaskContext context);

    /**
     * What an analyzer produced.
     *
     * @param findings problems found
     * @param measures named measures, e.g. {@code coverage_percent}, {@code lines_of_code}; a
     *                 measure that could not be taken maps to null, with a reason under
     *                 {@code <name>_reason}
     */
    record Result(List<Finding> findings, Map<String, Object> measures) {
        /** Validates the result. */
        public Result {
            findings = List.copyOf(findings == null ? List.of() : findings);
            measures = measures == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(measures));
        }
    }
}
