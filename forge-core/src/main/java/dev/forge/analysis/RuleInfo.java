package dev.forge.analysis;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a person needs to act on a rule's findings: what the rule checks and what to do about it.
 *
 * @param description one sentence saying what the rule finds, e.g. "An empty catch block hides
 *                    the failure it caught."
 * @param fix         what to do, in the imperative, e.g. "Log the exception or rethrow it."
 * @param helpUri     where to read more, or null
 */
public record RuleInfo(String description, String fix, String helpUri) {

    /** Validates the info; blank text is not allowed. */
    public RuleInfo {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(fix, "fix");
        if (description.isBlank() || fix.isBlank()) {
            throw new IllegalArgumentException("description and fix must not be blank");
        }
        helpUri = helpUri == null || helpUri.isBlank() ? null : helpUri;
    }

    /** Info without a help link. */
    public static RuleInfo of(String description, String fix) {
        return new RuleInfo(description, fix, null);
    }

    /** The info as a JSON-shaped map: {@code description}, {@code fix}, {@code help_uri} if any. */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("description", description);
        map.put("fix", fix);
        if (helpUri != null) {
            map.put("help_uri", helpUri);
        }
        return map;
    }

    /** Reads {@link #toMap()}'s shape back; null when the map does not hold one. */
    public static RuleInfo fromMap(Object value) {
        if (value instanceof Map<?, ?> map && map.get("description") instanceof String d
                && map.get("fix") instanceof String f && !d.isBlank() && !f.isBlank()) {
            return new RuleInfo(d, f, map.get("help_uri") instanceof String u ? u : null);
        }
        return null;
    }
}
