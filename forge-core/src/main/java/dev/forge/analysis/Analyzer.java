package dev.forge.analysis;

import dev.forge.exec.TaskContext;
import dev.forge.project.ProjectSpec;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
     * Analyzes with everything the pipeline knows, including a classpath the build resolved.
     * The default ignores the classpath and calls {@link #analyze(Path, ProjectSpec, Set,
     * TaskContext)}; analyzers that resolve types override it.
     *
     * @throws dev.forge.InfrastructureException if the analyzer itself could not run
     */
    default Result analyze(Input input) {
        return analyze(input.workspace(), input.project(), input.requested(), input.context());
    }

    /**
     * What one analyzer run gets.
     *
     * @param workspace the project's files (read only: it may be a finished build's workspace)
     * @param project   the project
     * @param requested the requested types, a subset of {@link #types()}
     * @param context   the task's context (log, progress, cancellation)
     * @param classpath jars and class folders of the project's dependencies as its build tool
     *                  resolved them; empty when unknown (then analyzers use the jars found in
     *                  the workspace)
     */
    record Input(Path workspace, ProjectSpec project, Set<AnalysisType> requested,
            TaskContext context, List<Path> classpath) {
        /** Validates the input. */
        public Input {
            Objects.requireNonNull(workspace, "workspace");
            Objects.requireNonNull(project, "project");
            requested = Set.copyOf(requested);
            Objects.requireNonNull(context, "context");
            classpath = List.copyOf(classpath == null ? List.of() : classpath);
        }
    }

    /**
     * What an analyzer produced.
     *
     * @param findings problems found
     * @param measures named measures, e.g. {@code coverage_percent}, {@code lines_of_code}; a
     *                 measure that could not be taken maps to null, with a reason under
     *                 {@code <name>_reason}
     * @param rules    what each rule of the findings means and how to fix it, by rule id; rules
     *                 without an entry are explained generically
     */
    record Result(List<Finding> findings, Map<String, Object> measures, Map<String, RuleInfo> rules) {
        /** Validates the result. */
        public Result {
            findings = List.copyOf(findings == null ? List.of() : findings);
            measures = measures == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(measures));
            rules = rules == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(rules));
        }

        /** A result without rule descriptions. */
        public Result(List<Finding> findings, Map<String, Object> measures) {
            this(findings, measures, Map.of());
        }
    }
}
