package dev.forge;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of forge's health, for liveness and readiness probes and status pages.
 *
 * @param alive      the executor's threads are running (or it was never started)
 * @param ready      started, and the store and queue answer
 * @param components per-component status, e.g. {@code store}, {@code queue}, {@code executor}
 */
public record Health(boolean alive, boolean ready, Map<String, Component> components) {

    /** Copies the components, keeping their order. */
    public Health {
        components = Collections.unmodifiableMap(new LinkedHashMap<>(components));
    }

    /**
     * One component.
     *
     * @param status  {@code up} or {@code down}
     * @param details numbers and words worth showing to an admin
     */
    public record Component(String status, Map<String, Object> details) {
        /** Validates the component. */
        public Component {
            Objects.requireNonNull(status, "status");
            details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
        }

        /** An {@code up} component. */
        public static Component up(Map<String, Object> details) {
            return new Component("up", details);
        }

        /** A {@code down} component with a reason. */
        public static Component down(String reason) {
            return new Component("down", Map.of("reason", reason));
        }

        /** True when up. */
        public boolean isUp() {
            return "up".equals(status);
        }
    }
}
