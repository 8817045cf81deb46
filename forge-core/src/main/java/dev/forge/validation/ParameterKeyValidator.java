package dev.forge.validation;

import dev.forge.Internal;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks {@link ParameterKey}. Public only because Jakarta Validation instantiates constraint validators
 * reflectively; use the annotation, not this class.
 */
@Internal
public final class ParameterKeyValidator implements ConstraintValidator<ParameterKey, String> {

    static final Pattern ALPHABET = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    /** Creates the validator; called by the validation provider. */
    public ParameterKeyValidator() {
    }

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        if (value == null || Identifiers.matches(ALPHABET, value)) {
            return true;
        }
        Optional<String> reason = Identifiers.securityReason(value);
        reason.ifPresent(why -> Violations.security(context, "has a key that " + why));
        return false;
    }
}
