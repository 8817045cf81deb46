package dev.forge.validation;

import dev.forge.Internal;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;

/**
 * Checks {@link ProjectName}. Public only because Jakarta Validation instantiates constraint validators
 * reflectively; use the annotation, not this class.
 */
@Internal
public final class ProjectNameValidator implements ConstraintValidator<ProjectName, String> {

    /** Creates the validator; called by the validation provider. */
    public ProjectNameValidator() {
    }

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        if (value == null || Identifiers.isProjectName(value)) {
            return true;
        }
        Optional<String> reason = Identifiers.securityReason(value);
        reason.ifPresent(why -> Violations.security(context, why));
        return false;
    }
}
