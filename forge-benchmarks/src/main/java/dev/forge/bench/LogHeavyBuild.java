package dev.forge.bench;

import dev.forge.Forge;
import dev.forge.builds.BuildRequest;
import dev.forge.events.EventBus;
import dev.forge.events.InMemoryEventBus;
import dev.forge.exec.ExecutorConfig;
import dev.forge.project.DirectoryProjectCatalog;
import dev.forge.security.Principal;
import dev.forge.store.InMemoryTaskStore;
import dev.forge.store.TaskStore;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A build whose one step prints {@code lines} lines ({@code seq 1 lines}), through the whole
 * engine with the in-memory adapters: wall time from create to the terminal status, and every
 * call the engine makes to the task store and the event bus, counted by method. The counting
 * wraps the ports in JDK proxies, so the same driver measures any version of forge-core. Run:
 * {@code java -cp forge-benchmarks/target/forge-benchmarks.jar dev.forge.bench.LogHeavyBuild 50000 5}
 */
public final class LogHeavyBuild {

    private LogHeavyBuild() {
    }

    /** Builds the project {@code args[1]} times (default 5) after one warm-up. */
    public static void main(String[] args) throws Exception {
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path projects = Files.createTempDirectory("forge-bench-projects");
        Path project = Files.createDirectories(projects.resolve("chatty"));
        Files.writeString(project.resolve("forge.json"),
                "{\"steps\": [{\"name\": \"print\", \"run\": [\"seq\", \"1\", \"" + lines + "\"]}]}");
        for (int i = 0; i <= runs; i++) {
            runOnce(projects, lines, i == 0 ? "warm-up" : "run " + i);
        }
    }

    private static void runOnce(Path projects, int lines, String label) throws Exception {
        InMemoryTaskStore rawStore = new InMemoryTaskStore();
        Map<String, AtomicLong> storeCalls = new ConcurrentHashMap<>();
        Map<String, AtomicLong> busCalls = new ConcurrentHashMap<>();
        TaskStore store = counting(TaskStore.class, rawStore, storeCalls);
        EventBus bus = counting(EventBus.class, new InMemoryEventBus(), busCalls);
        Principal alice = Principal.user("alice");
        try (Forge forge = Forge.builder().projectCatalog(new DirectoryProjectCatalog(projects))
                .taskStore(store).eventBus(bus)
                .workspaceRoot(Files.createTempDirectory("forge-bench-ws"))
                .executorConfig(ExecutorConfig.custom().workers(1).build())
                .build().start()) {
            long t0 = System.nanoTime();
            TaskId id = forge.builds().create(alice, new BuildRequest("chatty", "bench", Map.of()))
                    .orElseThrow().id();
            TaskRecord done = waitTerminal(rawStore, id);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            if (done.status() != TaskStatus.COMPLETED) {
                throw new IllegalStateException("build ended " + done.status() + ": " + done.error());
            }
            String log = rawStore.readLog(id);
            // Read as soon as the status is terminal: is the step's last line already stored?
            boolean complete = log.contains("\n" + lines + "\n") || log.endsWith("\n" + lines);
            long total = storeCalls.values().stream().mapToLong(AtomicLong::get).sum();
            System.out.printf("%-8s lines=%d  create->completed %6d ms  store calls %6d %s  bus %s  log has line %d at completion: %s%n",
                    label, lines, millis, total, sorted(storeCalls), sorted(busCalls), lines, complete);
        }
    }

    private static TaskRecord waitTerminal(InMemoryTaskStore store, TaskId id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            TaskRecord record = store.find(id).orElseThrow();
            if (record.isTerminal()) {
                return record;
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("build did not finish in 5 minutes");
    }

    private static Map<String, Long> sorted(Map<String, AtomicLong> calls) {
        Map<String, Long> out = new TreeMap<>();
        calls.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static <T> T counting(Class<T> port, T delegate, Map<String, AtomicLong> calls) {
        return (T) Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[] {port}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return method.invoke(delegate, args);
            }
            calls.computeIfAbsent(method.getName(), k -> new AtomicLong()).incrementAndGet();
            try {
                return method.invoke(delegate, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }
}
