package dev.forge.validation;

import dev.forge.Internal;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;

/**
 * Checks {@link SafeText}. Public only because Jakarta Validation instantiates constraint validators
 * reflectively; use the annotation, not this class.
 */
@Internal
public final class SafeTextValidator implements ConstraintValidator<SafeText, CharSequence> {

    /** Creates the validator; called by the validation provider. */
    public SafeTextValidator() {
    }

    @Override
    public boolean isValid(CharSequence value, ConstraintValidatorContext context) {
        if (value == null) {
            return true;
        }
        Optional<UnsafeText.Threat> threat = UnsafeText.detect(value.toString());
        threat.ifPresent(found -> Violations.security(context, found.reason()));
        return threat.isEmpty();
    }
}
