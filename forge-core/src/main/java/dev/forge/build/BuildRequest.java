package dev.forge.build;

import java.util.Map;

/**
 * A request to build a project. Validated by {@link dev.forge.validation.RequestValidator}
 * before anything is stored; the record itself accepts any value so that bad input can be
 * reported field by field instead of failing in a constructor.
 *
 * @param projectName catalog name, {@code [A-Za-z0-9_-]{1,100}}
 * @param goal        1-2000 characters of free text, recorded and shown, never executed
 * @param parameters  up to 20 entries; keys {@code [a-z][a-z0-9_]{0,31}}; values scanned like goal
 */
public record BuildRequest(String projectName, String goal, Map<String, String> parameters) {

    /** Normalises a null parameter map to empty. */
    public BuildRequest {
        parameters = parameters == null ? Map.of() : parameters;
    }
}
