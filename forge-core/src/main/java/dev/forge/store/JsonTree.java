package dev.forge.store;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deep, immutable snapshots of JSON-shaped result trees. The in-memory store keeps a snapshot
 * so a caller that later changes its own map cannot change a stored record - the same
 * behaviour a store that serialises (Redis) has - and refuses values JSON cannot hold, so code
 * that works in memory also works against a serialising store.
 */
final class JsonTree {

    private JsonTree() {
    }

    /**
     * An immutable deep copy of {@code results} (null values kept).
     *
     * @throws IllegalArgumentException if a value is not a String, Number, Boolean, null, List or
     *                                  Map with String keys
     */
    static Map<String, Object> snapshot(Map<String, Object> results) {
        if (results == null || results.isEmpty()) {
            return Map.of();
        }
        return copyMap(results, "results");
    }

    private static Map<String, Object> copyMap(Map<?, ?> map, String path) {
        Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, map.size() * 2));
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                throw new IllegalArgumentException(path + " has a non-string key: " + entry.getKey());
            }
            copy.put(key, copyValue(entry.getValue(), path + "." + key));
        }
        return Collections.unmodifiableMap(copy);
    }

    private static Object copyValue(Object value, String path) {
        if (value == null || value instanceof String || value instanceof Boolean
                || value instanceof Integer || value instanceof Long || value instanceof Double
                || value instanceof Float || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger || value instanceof BigDecimal) {
            return value;
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
}
