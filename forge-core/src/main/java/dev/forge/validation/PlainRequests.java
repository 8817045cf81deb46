package dev.forge.validation;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedArrayType;
import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.AnnotatedWildcardType;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.hibernate.validator.constraints.CodePointLength;

/**
 * Proves an ordinary request valid without Hibernate Validator, which costs several times more
 * than forge's own checks. For each record class a plan is derived once from the same constraint
 * annotations Hibernate Validator reads; it knows {@code @NotNull}, {@code @NotBlank},
 * {@code @NotEmpty}, {@code @Size}, {@code @CodePointLength} and forge's {@link ProjectName},
 * {@link ParameterKey} and {@link SafeText}, on a component and on the elements of a List or
 * the keys and values of a Map. A class with any other annotation, a validation group or a
 * constraint elsewhere has no plan.
 *
 * <p>One-sided: {@code true} means Hibernate Validator would report nothing; {@code false}
 * means "ask it", which then writes the messages. Where a rule is cheaper to check a little
 * more strictly ({@code @NotBlank}), it is, since a false "no" only costs time.
 */
final class PlainRequests {

    private static final Predicate<Object> NEVER = value -> false;
    private static final Predicate<Object> ANY = value -> true;

    private static final ClassValue<Predicate<Object>> PLANS = new ClassValue<>() {
        @Override
        protected Predicate<Object> computeValue(Class<?> type) {
            try {
                return plan(type);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return NEVER;
            }
        }
    };

    private PlainRequests() {
    }

    /** True only when {@code request} certainly passes all of its class's constraints. */
    static boolean provablyValid(Object request) {
        return PLANS.get(request.getClass()).test(request);
    }

    private static Predicate<Object> plan(Class<?> type) throws ReflectiveOperationException {
        if (!type.isRecord() || constraintsOn(type.getAnnotations()) || constrainedMethod(type)) {
            return NEVER;
        }
        List<Predicate<Object>> components = new ArrayList<>();
        for (RecordComponent component : type.getRecordComponents()) {
            Field field = type.getDeclaredField(component.getName());
            Method accessor = component.getAccessor();
            accessor.setAccessible(true);
            Set<Annotation> own = new LinkedHashSet<>(List.of(field.getDeclaredAnnotations()));
            own.addAll(List.of(accessor.getDeclaredAnnotations()));
            own.addAll(List.of(field.getAnnotatedType().getAnnotations()));
            Predicate<Object> rules = all(own);
            Predicate<Object> elements = elementRules(field.getAnnotatedType());
            if (rules == NEVER || elements == NEVER) {
                return NEVER;
            }
            Predicate<Object> check = rules.and(elements);
            components.add(request -> check.test(read(accessor, request)));
        }
        return request -> {
            for (Predicate<Object> component : components) {
                if (!component.test(request)) {
                    return false;
                }
            }
            return true;
        };
    }

    /** Rules for a List's elements or a Map's keys and values; NEVER for any other annotated shape. */
    private static Predicate<Object> elementRules(AnnotatedType type) {
        if (type instanceof AnnotatedArrayType array) {
            return annotatedAnywhere(array.getAnnotatedGenericComponentType()) ? NEVER : ANY;
        }
        if (!(type instanceof AnnotatedParameterizedType parameterized)) {
            return ANY;
        }
        AnnotatedType[] arguments = parameterized.getAnnotatedActualTypeArguments();
        List<Predicate<Object>> rules = new ArrayList<>();
        boolean annotated = false;
        for (AnnotatedType argument : arguments) {
            if (!(argument.getType() instanceof Class<?>) && annotatedAnywhere(argument)) {
                return NEVER; // constraints nested deeper than one level, or on a wildcard
            }
            annotated |= argument.getAnnotations().length > 0;
            rules.add(all(Set.of(argument.getAnnotations())));
        }
        Class<?> raw = (Class<?>) ((ParameterizedType) parameterized.getType()).getRawType();
        if (!annotated) {
            return ANY;
        }
        if (rules.contains(NEVER)) {
            return NEVER;
        }
        if (raw == Map.class) {
            Predicate<Object> keys = rules.get(0);
            Predicate<Object> values = rules.get(1);
            return value -> value == null || allEntries((Map<?, ?>) value, keys, values);
        }
        if (raw == List.class || raw == Collection.class || raw == Set.class) {
            Predicate<Object> items = rules.get(0);
            return value -> value == null || allItems((Collection<?>) value, items);
        }
        return NEVER;
    }

    private static boolean annotatedAnywhere(AnnotatedType type) {
        if (type.getAnnotations().length > 0) {
            return true;
        }
        if (type instanceof AnnotatedParameterizedType parameterized) {
            return Arrays.stream(parameterized.getAnnotatedActualTypeArguments()).anyMatch(PlainRequests::annotatedAnywhere);
        }
        if (type instanceof AnnotatedArrayType array) {
            return annotatedAnywhere(array.getAnnotatedGenericComponentType());
        }
        if (type instanceof AnnotatedWildcardType wildcard) {
            return Arrays.stream(wildcard.getAnnotatedUpperBounds()).anyMatch(PlainRequests::annotatedAnywhere)
                    || Arrays.stream(wildcard.getAnnotatedLowerBounds()).anyMatch(PlainRequests::annotatedAnywhere);
        }
        return false;
    }

    private static boolean allEntries(Map<?, ?> map, Predicate<Object> keys, Predicate<Object> values) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!keys.test(entry.getKey()) || !values.test(entry.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static boolean allItems(Collection<?> items, Predicate<Object> rule) {
        for (Object item : items) {
            if (!rule.test(item)) {
                return false;
            }
        }
        return true;
    }

    /** All of {@code annotations} as one rule; NEVER when one of them is not understood. */
    private static Predicate<Object> all(Set<Annotation> annotations) {
        Predicate<Object> rules = ANY;
        for (Annotation annotation : annotations) {
            Predicate<Object> rule = rule(annotation);
            if (rule == NEVER) {
                return NEVER;
            }
            rules = rules.and(rule);
        }
        return rules;
    }

    private static Predicate<Object> rule(Annotation annotation) {
        if (hasGroups(annotation)) {
            return NEVER;
        }
        if (annotation instanceof NotNull) {
            return value -> value != null;
        }
        if (annotation instanceof NotBlank) {
            return value -> value instanceof CharSequence text && hasVisibleCharacter(text);
        }
        if (annotation instanceof NotEmpty) {
            return value -> value != null && size(value) > 0;
        }
        // bounds read here, once: an annotation's attributes are calls on a reflection proxy
        if (annotation instanceof Size size) {
            int min = size.min();
            int max = size.max();
            return value -> value == null || within(size(value), min, max);
        }
        if (annotation instanceof CodePointLength length) {
            if (length.normalizationStrategy() != CodePointLength.NormalizationStrategy.NONE) {
                return NEVER;
            }
            int min = length.min();
            int max = length.max();
            return value -> value == null || value instanceof CharSequence text
                    && within(Character.codePointCount(text, 0, text.length()), min, max);
        }
        if (annotation instanceof SafeText) {
            return value -> value == null || value instanceof CharSequence text
                    && UnsafeText.detect(text.toString()).isEmpty();
        }
        if (annotation instanceof ProjectName) {
            return value -> value == null || value instanceof String name && Identifiers.isProjectName(name);
        }
        if (annotation instanceof ParameterKey) {
            return value -> value == null || value instanceof String key && Identifiers.isParameterKey(key);
        }
        return NEVER;
    }

    /** A character that neither {@code trim()} nor {@code isBlank()} would remove. */
    private static boolean hasVisibleCharacter(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > ' ' && !Character.isWhitespace(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean within(int count, int min, int max) {
        return count >= min && count <= max;
    }

    /** Size as {@code @Size} counts it; -1 (never within bounds) for a type it does not apply to. */
    private static int size(Object value) {
        if (value instanceof CharSequence text) {
            return text.length();
        }
        if (value instanceof Collection<?> collection) {
            return collection.size();
        }
        if (value instanceof Map<?, ?> map) {
            return map.size();
        }
        return value.getClass().isArray() ? Array.getLength(value) : -1;
    }

    private static boolean hasGroups(Annotation annotation) {
        try {
            Object groups = annotation.annotationType().getMethod("groups").invoke(annotation);
            return !(groups instanceof Class<?>[] classes) || classes.length > 0;
        } catch (ReflectiveOperationException e) {
            return false; // not a constraint; rule() decides whether it is known
        }
    }

    private static boolean constraintsOn(Annotation[] annotations) {
        for (Annotation annotation : annotations) {
            if (annotation.annotationType().isAnnotationPresent(jakarta.validation.Constraint.class)
                    || annotation.annotationType().getName().startsWith("jakarta.validation.")) {
                return true;
            }
        }
        return false;
    }

    /** A method other than a component's accessor with annotations: Hibernate Validator may check it as a getter. */
    private static boolean constrainedMethod(Class<?> type) {
        Set<Method> accessors = new HashSet<>();
        for (RecordComponent component : type.getRecordComponents()) {
            accessors.add(component.getAccessor());
        }
        for (Method method : type.getDeclaredMethods()) {
            if (!accessors.contains(method) && (method.getDeclaredAnnotations().length > 0
                    || annotatedAnywhere(method.getAnnotatedReturnType()))) {
                return true;
            }
        }
        return false;
    }

    private static Object read(Method accessor, Object request) {
        try {
            return accessor.invoke(request);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + accessor, e);
        }
    }
}
