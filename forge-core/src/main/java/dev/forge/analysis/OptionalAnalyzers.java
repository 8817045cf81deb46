package dev.forge.analysis;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Analyzers that live in optional modules, and what an analysis misses without them. forge-core
 * runs without them, so an analysis must say what it did not look at rather than score the
 * project as if it had.
 */
final class OptionalAnalyzers {

    /**
     * An analyzer in an optional module.
     *
     * @param analyzer its {@link Analyzer#name()}
     * @param module   the Maven artifact that brings it
     * @param covers   per analysis type, what it finds there (plural, e.g. "code smells")
     */
    record Known(String analyzer, String module, Map<AnalysisType, String> covers) {
    }

    static final List<Known> KNOWN = List.of(new Known("pmd", "forge-analysis-pmd", Map.of(
            AnalysisType.QUALITY, "code smells",
            AnalysisType.SECURITY, "vulnerable code patterns")));

    private OptionalAnalyzers() {
    }

    /** The known optional analyzers not among {@code available} (analyzer names). */
    static List<Known> missing(Set<String> available) {
        return KNOWN.stream().filter(known -> !available.contains(known.analyzer())).toList();
    }
}
