package dev.forge.http;

import dev.forge.Health;
import io.javalin.http.Context;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** Handlers of {@code /api/health}: liveness, readiness and a status page. */
final class HealthRoutes {

    static final String BASE = "/api/health";

    private final Supplier<Health> health;
    private final LongSupplier requests;
    private final Clock clock;
    private final Instant started;
    private final String version;
    private final Map<String, Object> security;

    HealthRoutes(Supplier<Health> health, LongSupplier requests, Clock clock, String version,
            Map<String, Object> security) {
        this.health = health;
        this.security = Map.copyOf(security);
        this.requests = requests;
        this.clock = clock;
        this.started = clock.instant();
        this.version = version;
    }

    void summary(Context ctx) {
        Health now = health.get();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("status", now.alive() && now.ready() ? "healthy" : "degraded");
        json.put("version", version);
        json.put("timestamp", Json.time(clock.instant()));
        Responses.json(ctx, json);
    }

    void ready(Context ctx) {
        if (!health.get().ready()) {
            throw new ProblemException(Problem.of(503, "not-ready", "Not ready",
                    "A component this server needs is down; see /api/health/status."));
        }
        Responses.json(ctx, Map.of("status", "ready"));
    }

    void live(Context ctx) {
        if (!health.get().alive()) {
            throw new ProblemException(Problem.of(503, "not-alive", "Not alive",
                    "The server cannot make progress and should be restarted."));
        }
        Responses.json(ctx, Map.of("status", "alive"));
    }

    /**
     * Everyone sees the component states (up/down); only admins see component details and host
     * figures (uptime, requests, memory, CPU, load), which would tell an outsider how busy the
     * machine is and when an attack starts to hurt.
     */
    void status(Context ctx) {
        var caller = Authentication.principalOrNull(ctx);
        boolean details = caller != null && caller.isAdmin();
        Health now = health.get();
        Map<String, Object> components = new LinkedHashMap<>();
        components.put("api", component("up", Map.of("version", version), details));
        now.components().forEach((name, component) -> {
            Map<String, Object> json = component(component.status(), component.details(), details);
            if (name.equals("sandbox")) {
                // which isolation builds run in is for everyone to see; the rest is an admin's
                json.put("isolation", component.details().get("isolation"));
            }
            components.put(name, json);
        });
        components.putIfAbsent("security", component("up", security, details));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("status", now.alive() && now.ready() ? "healthy" : "degraded");
        json.put("version", version);
        json.put("timestamp", Json.time(clock.instant()));
        json.put("components", components);
        if (details) {
            json.put("metrics", usage());
        }
        Responses.json(ctx, json);
    }

    private static Map<String, Object> component(String status, Map<String, Object> details, boolean show) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("status", status);
        if (show) {
            json.put("details", details);
        }
        return json;
    }

    private Map<String, Object> usage() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("heap_used_bytes", memory.getHeapMemoryUsage().getUsed());
        mem.put("heap_max_bytes", memory.getHeapMemoryUsage().getMax());
        mem.put("non_heap_used_bytes", memory.getNonHeapMemoryUsage().getUsed());
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("available_processors", os.getAvailableProcessors());
        cpu.put("system_load_average", os.getSystemLoadAverage());
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            cpu.put("process_cpu_load", sun.getProcessCpuLoad());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("uptime_seconds", Math.max(0, Duration.between(started, clock.instant()).toSeconds()));
        json.put("requests", requests.getAsLong());
        json.put("memory", mem);
        json.put("cpu", cpu);
        return json;
    }
}
