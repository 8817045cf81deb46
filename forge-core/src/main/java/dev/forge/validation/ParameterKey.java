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
 * A build parameter key: {@code [a-z][a-z0-9_]{0,31}}, so it maps cleanly onto an environment
 * variable name ({@code flavor} becomes {@code FORGE_PARAM_FLAVOR}). Security and schema
 * violations are told apart as for {@link ProjectName}. Null is valid; pair with {@code @NotNull}.
 */
@Documented
@Constraint(validatedBy = ParameterKeyValidator.class)
@Target({FIELD, METHOD, PARAMETER, TYPE_USE, ANNOTATION_TYPE})
@Retention(RUNTIME)
public @interface ParameterKey {

    /** The message for a schema violation; a security violation names what was found instead. */
    String message() default "has a key that is not a lower-case letter followed by up to 31 of a-z, 0-9 and _";

    /** Validation groups. */
    Class<?>[] groups() default {};

    /** Payload. */
    Class<? extends Payload>[] payload() default {};
}
