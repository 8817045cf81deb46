package dev.forge.validation;

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
 * A catalog project name: 1 to 100 characters from {@code [A-Za-z0-9_-]}. Anything else fails;
 * a name that tries to leave the catalog directory ({@code ../x}, {@code a/b}, {@code %2e%2e}) or
 * carries an injection fails as a {@link ValidationFailure.Kind#SECURITY security} violation,
 * any other misfit ({@code my project}, too long) as a schema violation. Null is valid; pair with
 * {@code @NotNull}.
 */
@Documented
@Constraint(validatedBy = ProjectNameValidator.class)
@Target({FIELD, METHOD, PARAMETER, TYPE_USE, ANNOTATION_TYPE})
@Retention(RUNTIME)
public @interface ProjectName {

    /** The message for a schema violation; a security violation names what was found instead. */
    String message() default "must be 1 to 100 characters from A-Z, a-z, 0-9, _ and -";

    /** Validation groups. */
    Class<?>[] groups() default {};

    /** Payload. */
    Class<? extends Payload>[] payload() default {};
}
