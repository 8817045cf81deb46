package dev.forge.validation;

import dev.forge.Internal;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.hibernate.validator.HibernateValidator;
import org.hibernate.validator.engine.HibernateConstraintViolation;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * Validates incoming requests with Jakarta Validation and forge's own constraints
 * ({@link ProjectName}, {@link SafeText}, {@link ParameterKey}, and the analysis package's
 * {@code AnalysisTypeName}) declared on {@code BuildRequest} and {@code AnalysisRequest}. Thread-safe; build one and share it, since
 * building one bootstraps Hibernate Validator.
 *
 * <p>A request with both unsafe and ill-shaped fields fails as
 * {@link ValidationFailure.Kind#SECURITY} and lists only the security errors: the unsafe input is
 * the more serious finding, and a client that sent it gains nothing from schema hints. Errors are
 * ordered by field ({@code project_name}, {@code goal}, {@code parameters},
 * {@code analysis_types}) and never quote the offending value.
 */
@Internal
public final class RequestValidator {

    private static final List<String> FIELD_ORDER =
            List.of("project_name", "goal", "parameters", "analysis_types");

    private final Validator validator;

    /**
     * Creates a validator. Hibernate Validator is bootstrapped once per JVM (about a second) and
     * shared: its validators are immutable and thread-safe, and every forge instance uses the
     * same constraints.
     */
    public RequestValidator() {
        this.validator = Shared.VALIDATOR;
    }

    /** Lazily bootstrapped on first use, by the class-loading lock. */
    private static final class Shared {
        // ParameterMessageInterpolator: our messages only need {max}-style parameters, and
        // leaving Expression Language out keeps message building fast and free of EL evaluation.
        static final Validator VALIDATOR = Validation.byProvider(HibernateValidator.class)
                .configure()
                .ignoreXmlConfiguration()
                .messageInterpolator(new ParameterMessageInterpolator())
                .buildValidatorFactory()
                .getValidator();
    }

    /**
     * Validates a request: a {@code BuildRequest}, an {@code AnalysisRequest}, or any object
     * whose fields carry forge's constraints. (Generic, so that this package does not depend on
     * the packages whose requests it checks.)
     *
     * @param request the request; its fields may be null (that is a schema error)
     * @return empty when the request is valid, else why not
     * @throws NullPointerException when {@code request} itself is null
     */
    public <T> Optional<ValidationFailure> validate(T request) {
        Objects.requireNonNull(request, "request");
        if (PlainRequests.provablyValid(request)) {
            return Optional.empty(); // the common case, without Hibernate Validator's overhead
        }
        return toFailure(validator.validate(request));
    }

    private static <T> Optional<ValidationFailure> toFailure(Set<ConstraintViolation<T>> violations) {
        if (violations.isEmpty()) {
            return Optional.empty();
        }
        Set<ValidationFailure.FieldError> security = new LinkedHashSet<>();
        Set<ValidationFailure.FieldError> schema = new LinkedHashSet<>();
        for (ConstraintViolation<T> violation : violations) {
            ValidationFailure.FieldError error = new ValidationFailure.FieldError(
                    wireField(violation.getPropertyPath()), violation.getMessage());
            (isSecurity(violation) ? security : schema).add(error);
        }
        boolean unsafe = !security.isEmpty();
        List<ValidationFailure.FieldError> errors = new ArrayList<>(unsafe ? security : schema);
        errors.sort(Comparator.comparingInt((ValidationFailure.FieldError e) -> rank(e.field()))
                .thenComparing(ValidationFailure.FieldError::field)
                .thenComparing(ValidationFailure.FieldError::message));
        return Optional.of(new ValidationFailure(
                unsafe ? ValidationFailure.Kind.SECURITY : ValidationFailure.Kind.SCHEMA, errors));
    }

    private static boolean isSecurity(ConstraintViolation<?> violation) {
        HibernateConstraintViolation<?> hibernate = violation.unwrap(HibernateConstraintViolation.class);
        return hibernate.getDynamicPayload(ValidationFailure.Kind.class) == ValidationFailure.Kind.SECURITY;
    }

    /**
     * The wire name of the field a violation is about: the snake_case property, and for a map
     * value {@code parameters.<key>} - but only when the key itself is well-formed, so an attack
     * placed in a key is never echoed back.
     */
    static String wireField(Path path) {
        Iterator<Path.Node> nodes = path.iterator();
        if (!nodes.hasNext()) {
            return "request";
        }
        String field = snakeCase(nodes.next().getName());
        while (nodes.hasNext()) {
            Path.Node node = nodes.next();
            if (node.getKind() == ElementKind.CONTAINER_ELEMENT
                    && node.as(Path.ContainerElementNode.class).getTypeArgumentIndex() != null
                    && node.as(Path.ContainerElementNode.class).getTypeArgumentIndex() == 1
                    && node.getKey() instanceof String key
                    && Identifiers.isParameterKey(key)) {
                return field + "." + key;
            }
        }
        return field;
    }

    private static String snakeCase(String name) {
        if (name == null) {
            return "request";
        }
        StringBuilder out = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    private static int rank(String field) {
        int dot = field.indexOf('.');
        int index = FIELD_ORDER.indexOf(dot < 0 ? field : field.substring(0, dot));
        return index < 0 ? FIELD_ORDER.size() : index;
    }
}
