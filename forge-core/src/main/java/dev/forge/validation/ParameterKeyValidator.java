package dev.forge.validation;

import dev.forge.Internal;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;

/**
 * Checks {@link ParameterKey}. Public only because Jakarta Validation instantiates constraint validators
 * reflectively; use the annotation, not this class.
 */
@Internal
public final class ParameterKeyValidator implements ConstraintValidator<ParameterKey, String> {

    /** Creates the validator; called by the validation provider. */
    public ParameterKeyValidator() {
    }

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        if (value == null || Identifiers.isParameterKey(value)) {
            return true;
        }
        Optional<String> reason = Identifiers.securityReason(value);
        reason.ifPresent(why -> Violations.security(context, "has a key that " + why));
        return false;
    }
}
