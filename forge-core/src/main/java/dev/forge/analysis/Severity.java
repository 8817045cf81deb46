package dev.forge.analysis;

import java.util.Locale;

/** How bad a finding is, most severe first. */
public enum Severity {
    /** Must be fixed before release. */
    BLOCKER,
    /** A likely bug or vulnerability. */
    CRITICAL,
    /** A real problem worth fixing soon. */
    MAJOR,
    /** A small problem. */
    MINOR,
    /** Worth knowing. */
    INFO;

    /** Lower-case wire name. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
