package dev.forge.analysis;

import java.util.Objects;

/**
 * One problem an analyzer found.
 *
 * @param ruleId   the tool's rule id, e.g. {@code EmptyCatchBlock}
 * @param category the analysis type it counts toward
 * @param severity how bad it is
 * @param file     workspace-relative path with forward slashes, or null for project-wide findings
 * @param line     1-based line, or 0 when unknown
 * @param message  what is wrong, safe to show (secrets masked)
 * @param tool     which tool found it, e.g. {@code pmd}, {@code javac}
 */
public record Finding(String ruleId, AnalysisType category, Severity severity, String file,
        int line, String message, String tool) {

    /** Validates the finding. */
    public Finding {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(tool, "tool");
        if (line < 0) {
            throw new IllegalArgumentException("line must be >= 0");
        }
    }
}
