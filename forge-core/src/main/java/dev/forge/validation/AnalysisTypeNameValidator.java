package dev.forge.validation;

import dev.forge.analysis.AnalysisType;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

/** Checks {@link AnalysisTypeName}. */
final class AnalysisTypeNameValidator implements ConstraintValidator<AnalysisTypeName, String> {

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        return value == null || AnalysisType.fromWire(value).isPresent();
    }
}
