package dev.forge.validation;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;

/** Checks {@link SafeText}. */
final class SafeTextValidator implements ConstraintValidator<SafeText, CharSequence> {

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
