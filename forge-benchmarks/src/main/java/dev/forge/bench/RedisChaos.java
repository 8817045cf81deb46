package dev.forge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.forge.security.DevTokens;
import dev.forge.security.Role;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The Redis chaos check (issue 9): one API node and two worker JVMs of the example server on one
 * Redis, a thousand short builds, and a random worker killed with {@code kill -9} five times
 * (restarted each time). Then it waits, and checks what a cluster that loses nothing must show:
 * every build terminal and completed, no job left in the queue, each task's terminal status
 * written once (one DONE event per task on the bus; a second would mean two attempts both
 * concluded it), the stale writes the store refused counted from the workers' logs, and no build
 * process of a killed worker left behind.
 *
 * <p>Not a test (it takes minutes and three JVMs): run it with
 * {@code forge-benchmarks/chaos/redis-chaos.sh}, which starts a private Redis and builds the
 * server jar. Exit code 0 when every check passed, 1 otherwise.
 */
public final class RedisChaos {

    private static final String SECRET = "chaos-check-secret-0123456789abcdef-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled");
    private static final Pattern STALE = Pattern.compile("lost its lease; its result is dropped"
            + "|lost the lease of task|kept changing under the worker");

    private final Map<String, String> options;
    private final Path work;
    private final String redisUrl;
    private final String prefix;
    private final int builds;
    private final int kills;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String token = DevTokens.hs256(SECRET).mint("chaos", "Chaos", EnumSet.of(Role.USER),
            Duration.ofHours(2));
    private final Map<String, AtomicInteger> doneEvents = new ConcurrentHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final long started = System.nanoTime();
    private Node api;
    private final Node[] workers = new Node[2];
    private final int[] incarnations = new int[2];

    private RedisChaos(Map<String, String> options) throws IOException {
        this.options = options;
        this.work = Files.createDirectories(Path.of(options.get("work")).toAbsolutePath());
        this.redisUrl = options.get("redis");
        this.prefix = "chaos-" + Long.toHexString(System.nanoTime()) + ":";
        this.builds = Integer.parseInt(options.getOrDefault("builds", "1000"));
        this.kills = Integer.parseInt(options.getOrDefault("kills", "5"));
    }

    /** {@code --redis=redis://host:port/db --jar=forge-server.jar --work=dir [--builds=1000] [--kills=5]}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            options.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        for (String required : List.of("redis", "jar", "work")) {
            if (!options.containsKey(required)) {
                System.err.println("usage: RedisChaos --redis=redis://127.0.0.1:6390/0 --jar=forge-server.jar "
                        + "--work=dir [--builds=1000] [--kills=5]");
                System.exit(2);
            }
        }
        RedisChaos chaos = new RedisChaos(options);
        boolean passed;
        try {
            passed = chaos.run();
        } finally {
            chaos.stopNodes();
        }
        System.exit(passed ? 0 : 1);
    }

    private boolean run() throws Exception {
        Path projects = writeProject();
        say("redis %s, key prefix %s, %d builds, %d kills", redisUrl, prefix, builds, kills);
        Thread subscriber = subscribeToDoneEvents();
        api = Node.start(this, "api", "api", projects, freePort());
        for (int i = 0; i < workers.length; i++) {
            workers[i] = startWorker(i, projects);
        }
        api.awaitReady(http);
        for (Node worker : workers) {
            worker.awaitListening();
        }
        say("nodes up: api pid %d, workers pid %d and %d", api.pid(), workers[0].pid(), workers[1].pid());

        List<String> ids = submitAll();
        say("%d builds created", ids.size());
        Random random = new Random();
        for (int k = 1; k <= kills; k++) {
            int threshold = builds * k / (kills + 1);
            awaitDone(threshold, Duration.ofMinutes(5));
            int victim = random.nextInt(workers.length);
            killAndRestart(victim, k, projects);
        }
        Map<String, JsonNode> finals = awaitTerminal(ids, Duration.ofMinutes(10));
        check(ids, finals);
        return failures.isEmpty();
    }

    private Path writeProject() throws IOException {
        Path project = Files.createDirectories(work.resolve("projects").resolve("chaos-make"));
        // short, but long enough that a kill usually lands mid-build
        Files.writeString(project.resolve("Makefile"), "all:\n"
                + "\t@echo \"build $(FORGE_PARAM_SEQ) starts\"\n\t@sleep 0.2\n\t@echo \"build $(FORGE_PARAM_SEQ) built\"\n"
                + "test:\n\t@echo \"1 test passed\"\n.PHONY: all test\n");
        return project.getParent();
    }

    private Node startWorker(int slot, Path projects) throws IOException {
        incarnations[slot]++;
        String name = "worker-" + (char) ('a' + slot) + "-" + incarnations[slot];
        return Node.start(this, name, "worker", projects, 0);
    }

    private void killAndRestart(int slot, int round, Path projects) throws Exception {
        Node victim = workers[slot];
        long inFlight = victim.buildProcesses();
        victim.kill9();
        long killedAt = System.nanoTime();
        // bubblewrap runs every build with --die-with-parent: nothing of the killed worker survives
        long deadline = killedAt + Duration.ofSeconds(30).toNanos();
        while (victim.buildProcesses() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20); // awaiting the kernel, not a result
        }
        long left = victim.buildProcesses();
        if (left > 0) {
            failures.add(victim.name + ": " + left + " build processes still alive 30 s after kill -9");
        }
        say("kill %d: kill -9 %s (pid %d) with %d build processes; %d left after %d ms; %d/%d builds done",
                round, victim.name, victim.pid(), inFlight, left, (System.nanoTime() - killedAt) / 1_000_000,
                doneEvents.size(), builds);
        workers[slot] = startWorker(slot, projects);
        workers[slot].awaitListening();
    }

    private List<String> submitAll() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> created = new ArrayList<>();
            for (int i = 0; i < builds; i++) {
                int seq = i;
                created.add(pool.submit(() -> create(seq)));
            }
            List<String> ids = new ArrayList<>();
            for (Future<String> f : created) {
                ids.add(f.get());
            }
            return ids;
        } finally {
            pool.shutdown();
        }
    }

    private String create(int seq) throws IOException, InterruptedException {
        String body = "{\"project_name\": \"chaos-make\", \"goal\": \"chaos " + seq
                + "\", \"parameters\": {\"seq\": \"" + seq + "\"}}";
        HttpResponse<String> response = http.send(request("/api/build/")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("creating build " + seq + ": " + response.statusCode() + " "
                    + response.body());
        }
        return JSON.readTree(response.body()).get("task_id").asText();
    }

    private void awaitDone(int count, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (doneEvents.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(50); // pacing the kills by the builds' progress
        }
    }

    /** Polls every task not yet terminal until all are, or the patience runs out. */
    private Map<String, JsonNode> awaitTerminal(List<String> ids, Duration patience) throws Exception {
        Map<String, JsonNode> finals = new LinkedHashMap<>();
        long deadline = System.nanoTime() + patience.toNanos();
        long lastReport = 0;
        for (int round = 0; System.nanoTime() < deadline; round++) {
            // the DONE events say which tasks to read; every tenth round reads all the others too,
            // since a worker killed between its write and its publish leaves no event
            boolean all = round % 10 == 9;
            for (String id : ids) {
                if (!finals.containsKey(id) && (all || doneEvents.containsKey(id))) {
                    JsonNode task = JSON.readTree(get("/api/build/" + id).body());
                    if (TERMINAL.contains(task.path("status").asText())) {
                        finals.put(id, task);
                    }
                }
            }
            if (finals.size() == ids.size()) {
                break;
            }
            if (System.nanoTime() - lastReport > Duration.ofSeconds(15).toNanos()) {
                lastReport = System.nanoTime();
                say("waiting: %d/%d terminal", finals.size(), ids.size());
            }
            Thread.sleep(500); // polling real workers
        }
        return finals;
    }

    private void check(List<String> ids, Map<String, JsonNode> finals) throws IOException {
        Map<String, Integer> statuses = new TreeMap<>();
        Map<Integer, Integer> attempts = new TreeMap<>();
        for (JsonNode task : finals.values()) {
            statuses.merge(task.get("status").asText(), 1, Integer::sum);
            attempts.merge(task.get("attempt").asInt(), 1, Integer::sum);
        }
        int stuck = ids.size() - finals.size();
        say("terminal: %d/%d %s; not terminal (lost or stuck): %d", finals.size(), ids.size(), statuses, stuck);
        say("attempts of the final records: %s (attempt > 1: redelivered after a kill or a lapsed lease)", attempts);
        if (stuck > 0) {
            failures.add(stuck + " builds never reached a terminal status");
        }
        int completed = statuses.getOrDefault("completed", 0);
        if (completed != ids.size()) {
            failures.add((ids.size() - completed) + " builds did not complete: " + statuses);
        }
        long twice = doneEvents.values().stream().filter(n -> n.get() > 1).count();
        long none = ids.stream().filter(id -> !doneEvents.containsKey(id)).count();
        say("terminal writes per task (DONE events): more than one for %d tasks; none seen for %d "
                + "(a worker killed between its write and its publish)", twice, none);
        if (twice > 0) {
            failures.add(twice + " tasks concluded by more than one attempt");
        }
        say("stale writes refused (workers' logs: lease lost, result dropped): %d", countStaleWrites());
        long jobs = countKeys(prefix + "q:*:j:*");
        say("jobs left in the queue: %d", jobs);
        if (jobs > 0) {
            failures.add(jobs + " jobs left in the queue after every build finished");
        }
        long processes = buildProcesses(work.resolve("workspaces"));
        say("build processes left on the machine: %d", processes);
        if (processes > 0) {
            failures.add(processes + " build processes left running");
        }
        say("%s in %d s", failures.isEmpty() ? "PASSED" : "FAILED: " + String.join("; ", failures),
                (System.nanoTime() - started) / 1_000_000_000);
    }

    private long countStaleWrites() throws IOException {
        try (Stream<Path> logs = Files.list(work.resolve("logs"))) {
            long count = 0;
            for (Path log : logs.toList()) {
                count += Files.readAllLines(log).stream().filter(l -> STALE.matcher(l).find()).count();
            }
            return count;
        }
    }

    private Thread subscribeToDoneEvents() {
        Thread thread = new Thread(() -> {
            try (RedisClient client = RedisClient.create(URI.create(redisUrl))) {
                client.psubscribe(new JedisPubSub() {
                    @Override
                    public void onPMessage(String pattern, String channel, String message) {
                        try {
                            JsonNode event = JSON.readTree(message);
                            if (event.path("type").asText().equals("DONE")) {
                                doneEvents.computeIfAbsent(event.get("id").asText(), k -> new AtomicInteger())
                                        .incrementAndGet();
                            }
                        } catch (IOException e) {
                            failures.add("unreadable event: " + message);
                        }
                    }
                }, prefix + "ev:*");
            } catch (RuntimeException e) {
                say("event subscriber ended: %s", e.getMessage());
            }
        }, "chaos-events");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private long countKeys(String pattern) {
        try (RedisClient client = RedisClient.create(URI.create(redisUrl))) {
            long count = 0;
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = client.scan(cursor, new ScanParams().match(pattern).count(1000));
                count += page.getResult().size();
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            return count;
        }
    }

    /** Processes whose command line names a folder below {@code root}: bubblewrap and what it runs. */
    static long buildProcesses(Path root) {
        String marker = root.toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false)
                        || cwdBelow(p, root))
                .count();
    }

    private static boolean cwdBelow(ProcessHandle process, Path root) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "cwd")).startsWith(root);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false; // gone, or not ours to read
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(api.url + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private void stopNodes() {
        List<Node> nodes = new ArrayList<>(List.of(workers).stream().filter(n -> n != null).toList());
        if (api != null) {
            nodes.add(api);
        }
        nodes.forEach(Node::stop);
        countKeysAndDelete();
    }

    private void countKeysAndDelete() {
        try (RedisClient client = RedisClient.create(URI.create(redisUrl))) {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = client.scan(cursor, new ScanParams().match(prefix + "*").count(1000));
                if (!page.getResult().isEmpty()) {
                    client.del(page.getResult().toArray(new String[0]));
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        } catch (RuntimeException e) {
            say("could not delete the run's keys: %s", e.getMessage());
        }
    }

    private void say(String format, Object... args) {
        long s = (System.nanoTime() - started) / 1_000_000_000;
        System.out.printf("[chaos %3d s] %s%n", s, String.format(format, args));
        System.out.flush();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** One example-server JVM, its log file and workspace folder. */
    private static final class Node {
        final String name;
        final Process process;
        final Path log;
        final Path workspace;
        final String url;

        private Node(String name, Process process, Path log, Path workspace, String url) {
            this.name = name;
            this.process = process;
            this.log = log;
            this.workspace = workspace;
            this.url = url;
        }

        static Node start(RedisChaos chaos, String name, String role, Path projects, int port) throws IOException {
            Path logs = Files.createDirectories(chaos.work.resolve("logs"));
            Path workspace = Files.createDirectories(chaos.work.resolve("workspaces").resolve(name));
            Path log = logs.resolve(name + ".log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-jar",
                    chaos.options.get("jar"), "--port=" + port, "--host=127.0.0.1");
            Map<String, String> env = builder.environment();
            env.put("FORGE_JWT_SECRET", SECRET);
            env.put("FORGE_REDIS_URL", chaos.redisUrl + "?key_prefix=" + chaos.prefix);
            env.put("FORGE_ROLE", role);
            env.put("FORGE_PROJECTS_DIR", projects.toString());
            env.put("FORGE_WORKSPACE_DIR", workspace.toString());
            env.put("FORGE_WORKERS", chaos.options.getOrDefault("threads", "2"));
            env.put("FORGE_QUEUE_VISIBILITY_SECONDS", chaos.options.getOrDefault("visibility", "10"));
            env.put("FORGE_RATE_LIMIT_BUILDS_PER_MINUTE", "1000000");
            env.put("FORGE_RATE_LIMIT_REQUESTS_PER_MINUTE", "1000000");
            // all the builds wait at once, for one user: lift the admission limits too
            env.put("FORGE_MAX_ACTIVE_TASKS_PER_USER", "1000000");
            env.put("FORGE_MAX_QUEUED_TASKS", "10000000");
            env.put("FORGE_LOG_FORMAT", "text");
            builder.redirectErrorStream(true).redirectOutput(log.toFile());
            return new Node(name, builder.start(), log, workspace, "http://127.0.0.1:" + port);
        }

        long pid() {
            return process.pid();
        }

        void awaitReady(HttpClient http) throws Exception {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < deadline) {
                requireAlive();
                try {
                    HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(URI.create(url + "/api/health/ready"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                    if (ready.statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(200); // a JVM starting
            }
            throw new IllegalStateException(name + " not ready after 2 minutes; see " + log);
        }

        void awaitListening() throws Exception {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < deadline) {
                requireAlive();
                if (Files.readString(log).contains(" is listening on ")) {
                    return;
                }
                Thread.sleep(200); // a JVM starting
            }
            throw new IllegalStateException(name + " not started after 2 minutes; see " + log);
        }

        private void requireAlive() {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
        }

        long buildProcesses() {
            return RedisChaos.buildProcesses(workspace);
        }

        /** SIGKILL to the JVM only: its build processes must go on their own. */
        void kill9() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        void stop() {
            process.destroy();
            try {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
