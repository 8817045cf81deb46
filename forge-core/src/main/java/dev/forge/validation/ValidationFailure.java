package dev.forge.validation;

import java.util.List;
import java.util.Objects;

/**
 * Why a request was refused. A {@code SECURITY} failure (unsafe input: injection, traversal,
 * control characters) maps to HTTP 400; a {@code SCHEMA} failure (missing, wrong size, wrong
 * shape) maps to 422.
 *
 * @param kind   which of the two
 * @param errors one entry per offending field
 */
public record ValidationFailure(Kind kind, List<FieldError> errors) {

    /** The two kinds of refusal. */
    public enum Kind {
        /** The input is unsafe. */
        SECURITY,
        /** The input does not fit the schema. */
        SCHEMA
    }

    /**
     * One field's problem.
     *
     * @param field   the field's wire name, e.g. {@code project_name} or {@code parameters.flavor}
     * @param message what is wrong, safe to show
     */
    public record FieldError(String field, String message) {
        /** Validates the error. */
        public FieldError {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Validates the failure. */
    public ValidationFailure {
        Objects.requireNonNull(kind, "kind");
        errors = List.copyOf(errors);
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a validation failure needs at least one error");
        }
    }

    /** A schema failure with one error. */
    public static ValidationFailure schema(String field, String message) {
        return new ValidationFailure(Kind.SCHEMA, List.of(new FieldError(field, message)));
    }

    /** A security failure with one error. */
    public static ValidationFailure security(String field, String message) {
        return new ValidationFailure(Kind.SECURITY, List.of(new FieldError(field, message)));
    }
}
