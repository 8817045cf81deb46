package dev.forge.analysis;

import java.util.Locale;
import java.util.Optional;

/** What an analysis looks at. */
public enum AnalysisType {
    /** Code smells and maintainability. */
    QUALITY,
    /** Vulnerable patterns and hard-coded secrets. */
    SECURITY,
    /** Compile errors. */
    TYPES,
    /** Line coverage from existing reports. */
    COVERAGE;

    /** Lower-case wire name. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type for a wire name, or empty. */
    public static Optional<AnalysisType> fromWire(String value) {
        for (AnalysisType type : values()) {
            if (type.wireName().equals(value)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
