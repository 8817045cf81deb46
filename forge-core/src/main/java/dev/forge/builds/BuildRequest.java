package dev.forge.builds;

import dev.forge.validation.ParameterKey;
import dev.forge.validation.ProjectName;
import dev.forge.validation.SafeText;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.hibernate.validator.constraints.CodePointLength;

/**
 * A request to build a project. Validated by {@link dev.forge.validation.RequestValidator}
 * before anything is stored; the record itself accepts any value so that bad input can be
 * reported field by field instead of failing in a constructor. The constraints are declared here
 * and documented in docs/validation.md.
 *
 * @param projectName catalog name, {@code [A-Za-z0-9_-]{1,100}}
 * @param goal        1-2000 characters (code points) of free text, not blank, free of injection;
 *                    recorded and shown, never executed
 * @param parameters  up to 20 entries; keys {@code [a-z][a-z0-9_]{0,31}}; values up to 2000
 *                    characters, scanned like goal
 */
public record BuildRequest(
        @NotNull(message = "is required") @ProjectName String projectName,
        @NotBlank(message = "is required and must not be blank")
        @CodePointLength(max = 2000, message = "must be at most {max} characters")
        @SafeText String goal,
        @Size(max = 20, message = "must have at most {max} entries")
        Map<@NotNull(message = "has a null key") @ParameterKey String,
            @NotNull(message = "must not be null")
            @CodePointLength(max = 2000, message = "must be at most {max} characters")
            @SafeText String> parameters) {

    /** Normalises a null parameter map to empty. */
    public BuildRequest {
        parameters = parameters == null ? Map.of() : parameters;
    }
}
