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
 * Free text that must not carry an injection attack, as decided by {@link UnsafeText}: the text is
 * NFKC-normalised and percent-decoded once, then scanned for SQL, shell, path-traversal and script
 * injection and control characters. A violation is always a
 * {@link ValidationFailure.Kind#SECURITY security} violation and its message names the kind of
 * attack, never the text. Null is valid; pair with {@code @NotNull}.
 */
@Documented
@Constraint(validatedBy = SafeTextValidator.class)
@Target({FIELD, METHOD, PARAMETER, TYPE_USE, ANNOTATION_TYPE})
@Retention(RUNTIME)
public @interface SafeText {

    /** The message for a schema violation; a security violation names what was found instead. */
    String message() default "contains unsafe text";

    /** Validation groups. */
    Class<?>[] groups() default {};

    /** Payload. */
    Class<? extends Payload>[] payload() default {};
}
