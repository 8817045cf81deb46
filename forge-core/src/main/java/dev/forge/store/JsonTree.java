package dev.forge.store;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deep, immutable, canonical snapshots of JSON-shaped result trees: what a task's results look
 * like after a round trip through JSON, so that every store - in memory or serialising - gives
 * back equal results.
 *
 * <p>Canonical values are {@code null}, {@link String}, {@link Boolean}, {@link Integer} (an
 * integral number that fits an int), {@link Long} (one that does not), a finite {@link Double},
 * {@link List} and {@link Map} with String keys: the types a JSON reader such as Jackson returns
 * by default. Other numbers are normalised when that loses nothing - {@code Byte}, {@code Short},
 * {@code Long}, {@code BigInteger} and integral {@code BigDecimal} values to Integer or Long;
 * {@code Float} to the Double its decimal form denotes (as JSON writes it: {@code 0.1f} becomes
 * {@code 0.1}); a {@code BigDecimal} to the Double with the same decimal value - and refused
 * otherwise: NaN and infinities (JSON has none), integers beyond a long, decimals a double cannot
 * hold exactly, and anything that is not JSON at all.
 *
 * <p>The in-memory store keeps these snapshots, so a caller that later changes its own map cannot
 * change a stored record. A serialising store calls {@link #snapshot} before writing, so it
 * refuses the same values with the same message, and reads its JSON back into the canonical
 * types.
 */
public final class JsonTree {

    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private JsonTree() {
    }

    /**
     * An immutable, canonical deep copy of {@code results} (null values kept; empty or null gives
     * an empty map).
     *
     * @throws IllegalArgumentException naming the path of the first value that is not JSON-shaped
     *                                  or cannot be normalised without loss
     */
    public static Map<String, Object> snapshot(Map<String, Object> results) {
        if (results == null || results.isEmpty()) {
            return Map.of();
        }
        return copyMap(results, "results");
    }

    /**
     * The items of a JSON list that are of {@code type} (e.g. the objects of a list of objects),
     * in order; empty when {@code value} is not a list. Readers of typed results use it to read
     * stored trees leniently: an item of another shape is skipped, not fatal.
     */
    public static <T> List<T> itemsOf(Object value, Class<T> type) {
        List<T> items = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object item : list) {
                if (type.isInstance(item)) {
                    items.add(type.cast(item));
                }
            }
        }
        return items;
    }

    private static Map<String, Object> copyMap(Map<?, ?> map, String path) {
        if (map.size() == 1) {
            // The most common result shape, in a quarter of the memory of a LinkedHashMap.
            Map.Entry<?, ?> only = map.entrySet().iterator().next();
            String key = requireStringKey(only.getKey(), path);
            return Collections.singletonMap(key, copyValue(only.getValue(), path + "." + key));
        }
        Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, map.size() * 2));
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = requireStringKey(entry.getKey(), path);
            copy.put(key, copyValue(entry.getValue(), path + "." + key));
        }
        return Collections.unmodifiableMap(copy);
    }

    private static String requireStringKey(Object key, String path) {
        if (!(key instanceof String text)) {
            throw new IllegalArgumentException(path + " has a non-string key: " + key);
        }
        return text;
    }

    private static Object copyValue(Object value, String path) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Number number) {
            return canonicalNumber(number, path);
        }
        if (value instanceof Map<?, ?> map) {
            return copyMap(map, path);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                copy.add(copyValue(list.get(i), path + "[" + i + "]"));
            }
            return Collections.unmodifiableList(copy);
        }
        throw new IllegalArgumentException(path + " is not JSON-shaped (String, Number, Boolean, "
                + "List, Map or null): " + value.getClass().getName());
    }

    private static Object canonicalNumber(Number number, String path) {
        if (number instanceof Integer || number instanceof Long || number instanceof Short
                || number instanceof Byte) {
            return integral(number.longValue());
        }
        if (number instanceof Double || number instanceof Float) {
            // A float's decimal form is what JSON writes and reads back, not its binary widening.
            double value = number instanceof Float f ? Double.parseDouble(Float.toString(f)) : number.doubleValue();
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException(path + " is " + value + ", which JSON cannot hold");
            }
            return value;
        }
        if (number instanceof BigInteger big) {
            if (big.compareTo(LONG_MIN) < 0 || big.compareTo(LONG_MAX) > 0) {
                throw new IllegalArgumentException(path + " is an integer beyond the range of a long: " + big);
            }
            return integral(big.longValue());
        }
        if (number instanceof BigDecimal decimal) {
            return canonicalDecimal(decimal, path);
        }
        throw new IllegalArgumentException(path + " is a number type JSON stores cannot return: "
                + number.getClass().getName());
    }

    private static Object canonicalDecimal(BigDecimal decimal, String path) {
        if (decimal.signum() == 0 || decimal.stripTrailingZeros().scale() <= 0) {
            try {
                return integral(decimal.longValueExact());
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(path + " is an integer beyond the range of a long: " + decimal, e);
            }
        }
        double value = decimal.doubleValue();
        if (!Double.isFinite(value) || new BigDecimal(Double.toString(value)).compareTo(decimal) != 0) {
            throw new IllegalArgumentException(path + " is a decimal a double cannot hold exactly: " + decimal);
        }
        return value;
    }

    private static Object integral(long value) {
        return value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE ? (Object) (int) value : (Object) value;
    }
}
