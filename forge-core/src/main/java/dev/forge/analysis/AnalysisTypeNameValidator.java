package dev.forge.analysis;

import dev.forge.Internal;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

/**
 * Checks {@link AnalysisTypeName}. Public only because Jakarta Validation instantiates constraint validators
 * reflectively; use the annotation, not this class.
 */
@Internal
public final class AnalysisTypeNameValidator implements ConstraintValidator<AnalysisTypeName, String> {

    /** Creates the validator; called by the validation provider. */
    public AnalysisTypeNameValidator() {
    }

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        return value == null || AnalysisType.fromWire(value).isPresent();
    }
}
