package dev.forge.task;

/** What a task does. */
public enum TaskKind {
    /** Clone, build, test, collect results. */
    BUILD,
    /** Run analyzers over the project's source. */
    ANALYSIS;

    /** Lower-case name used on the wire and in metrics, e.g. {@code build}. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
