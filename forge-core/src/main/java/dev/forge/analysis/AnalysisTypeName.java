package dev.forge.analysis;

import static java.lang.annotation.ElementType.ANNOTATION_TYPE;
import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.TYPE_USE;
import static java.lang.annotation.RetentionPolicy.RUNTIME;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.Target;

/**
 * The wire name of an {@link AnalysisType}: {@code quality},
 * {@code security}, {@code types} or {@code coverage}, exactly. Null is valid; pair with
 * {@code @NotNull}.
 */
@Documented
@Constraint(validatedBy = AnalysisTypeNameValidator.class)
@Target({FIELD, METHOD, PARAMETER, TYPE_USE, ANNOTATION_TYPE})
@Retention(RUNTIME)
public @interface AnalysisTypeName {

    /** The message for a schema violation; a security violation names what was found instead. */
    String message() default "must contain only quality, security, types or coverage";

    /** Validation groups. */
    Class<?>[] groups() default {};

    /** Payload. */
    Class<? extends Payload>[] payload() default {};
}
