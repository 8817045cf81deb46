package dev.forge.validation;

import jakarta.validation.ConstraintValidatorContext;
import org.hibernate.validator.constraintvalidation.HibernateConstraintValidatorContext;

/**
 * Marks a violation as a security one. The kind travels as Hibernate Validator's dynamic payload,
 * so one constraint can report either kind and {@link RequestValidator} can tell them apart
 * without parsing messages.
 */
final class Violations {

    private Violations() {
    }

    /** Replaces the default violation with a security violation carrying {@code message}. */
    static void security(ConstraintValidatorContext context, String message) {
        HibernateConstraintValidatorContext hibernate =
                context.unwrap(HibernateConstraintValidatorContext.class);
        hibernate.withDynamicPayload(ValidationFailure.Kind.SECURITY);
        hibernate.disableDefaultConstraintViolation();
        // Our messages are fixed strings, but escape anyway so no template syntax can sneak in.
        hibernate.buildConstraintViolationWithTemplate(escape(message)).addConstraintViolation();
    }

    private static String escape(String message) {
        StringBuilder out = new StringBuilder(message.length());
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == '{' || c == '}' || c == '$' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }
}
