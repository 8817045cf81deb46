package dev.forge.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A constant-rate HTTP load generator (the wrk2 idea in one small class): request {@code i} is
 * due at {@code start + i / rate}, is sent at that moment (or as soon after as the sender gets the
 * CPU), and its latency is counted from when it was <em>due</em>, not from when it was sent. A
 * server that stalls for 200 ms therefore shows up to 200 ms on every request that should have
 * gone out during the stall - coordinated omission would hide all but one of them. 64 sender
 * threads, each with one request in flight on its own keep-alive connection
 * ({@link RawHttpConnection}), take the schedule's
 * requests in turn (a bounded connection count, as wrk2's {@code -c}, so a stall does not make
 * the client open thousands of connections).
 *
 * <p>Scenarios against forge's HTTP API: {@code create} (POST a build), {@code status} (GET one
 * build, created first) and {@code history} (GET the caller's first page). Run:
 * <pre>{@code
 * java -cp forge-benchmarks/target/forge-benchmarks.jar dev.forge.bench.ConstantRateLoad \
 *     http://127.0.0.1:8080 $USER_TOKEN status 1000 30 10
 * }</pre>
 * arguments: base URL, bearer token, scenario, requests/s (1000), measured seconds (30), warm-up
 * seconds not counted (10). Prints one {@code RATE} line with p50/p99/p99.9/max and the errors
 * (transport failures and answers other than 2xx, by status code), and how late requests were
 * sent: the largest lag overall, which includes the server's backlog (every connection busy with
 * a slow answer), and the largest lag of a sender that was idle before its request was due, which
 * is the generator's own (its thread waiting for a core). A run whose idle-sender lag is near its
 * p99 measured the generator, not the server.
 */
public final class ConstantRateLoad {

    private static final Pattern TASK_ID = Pattern.compile("\"task_id\"\\s*:\\s*\"([^\"]+)\"");
    /** Senders, each with at most one request in flight: the connections, like wrk's {@code -c}. */
    private static final int CONNECTIONS = 64;
    private static final String CREATE_BODY = "{\"project_name\": \"hello-make\", \"goal\": \"constant-rate load\"}";

    private ConstantRateLoad() {
    }

    /** See the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ConstantRateLoad <base-url> <token> create|status|history [rate=1000] [seconds=30] [warmup=10]");
            System.exit(2);
        }
        String base = args[0].replaceAll("/+$", "");
        String token = args[1];
        String scenario = args[2];
        int rate = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 10;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        Target target = target(client, base, token, scenario);
        Result result = run(target, rate, warmup, seconds);
        System.out.println(result.describe(scenario, rate));
    }

    /** What each connection sends: method, URI and body. */
    private record Target(String method, URI uri, String token, String body) {
        RawHttpConnection connect() {
            return new RawHttpConnection(uri, method, token, body);
        }
    }

    private static Target target(HttpClient client, String base, String token, String scenario) throws Exception {
        URI builds = URI.create(base + "/api/build/");
        switch (scenario) {
            case "create":
                return new Target("POST", builds, token, CREATE_BODY);
            case "history":
                return new Target("GET", URI.create(base + "/api/build/?limit=20"), token, null);
            case "status":
                HttpRequest create = HttpRequest.newBuilder(builds)
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(CREATE_BODY)).build();
                HttpResponse<String> created = client.send(create, HttpResponse.BodyHandlers.ofString());
                Matcher id = TASK_ID.matcher(created.body());
                if (created.statusCode() != 202 || !id.find()) {
                    throw new IllegalStateException("could not create the build to poll: "
                            + created.statusCode() + " " + created.body());
                }
                return new Target("GET", URI.create(base + "/api/build/" + id.group(1)), token, null);
            default:
                throw new IllegalArgumentException("scenario must be create, status or history, was " + scenario);
        }
    }

    private static Result run(Target target, int rate, int warmup, int seconds)
            throws InterruptedException {
        int total = rate * (warmup + seconds);
        int firstCounted = rate * warmup;
        long period = 1_000_000_000L / rate;
        long[] latency = new long[total - firstCounted];
        Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicLong maxSendLag = new AtomicLong();
        AtomicLong maxWakeLag = new AtomicLong();
        long start = System.nanoTime() + 50_000_000L;
        Thread[] senders = new Thread[CONNECTIONS];
        for (int t = 0; t < senders.length; t++) {
            senders[t] = new Thread(() -> {
                RawHttpConnection connection = target.connect();
                for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                    long due = start + i * period;
                    long now = System.nanoTime();
                    // claimed before it was due: this sender was idle, so lateness from here on
                    // is the generator's (its thread not on a core), not the server's backlog
                    boolean idle = now < due;
                    while (now < due) {
                        LockSupport.parkNanos(due - now);
                        now = System.nanoTime();
                    }
                    if (i >= firstCounted) {
                        maxSendLag.accumulateAndGet(now - due, Math::max);
                        if (idle) {
                            maxWakeLag.accumulateAndGet(now - due, Math::max);
                        }
                    }
                    String error;
                    try {
                        int code = connection.exchange();
                        error = code / 100 == 2 ? null : "HTTP " + code;
                    } catch (IOException e) {
                        error = describe(e);
                    }
                    long took = System.nanoTime() - due;
                    if (i >= firstCounted) {
                        latency[i - firstCounted] = took;
                        if (error != null) {
                            errors.computeIfAbsent(error, k -> new AtomicLong()).incrementAndGet();
                        }
                    }
                }
                connection.close();
            }, "sender-" + t);
            senders[t].start();
        }
        for (Thread sender : senders) {
            sender.join();
        }
        return new Result(latency, errors, maxSendLag.get(), maxWakeLag.get(), seconds);
    }

    /** The innermost cause's class and message, so "connection refused" is told from a timeout. */
    private static String describe(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** The latencies of the measured requests and their errors. */
    private record Result(long[] nanos, Map<String, AtomicLong> errors, long maxSendLag, long maxWakeLag,
            int seconds) {

        String describe(String scenario, int rate) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            Map<String, Long> errorCounts = new TreeMap<>();
            errors.forEach((k, v) -> errorCounts.put(k, v.get()));
            long errorTotal = errorCounts.values().stream().mapToLong(Long::longValue).sum();
            return String.format("RATE %s %d req/s for %d s: n=%d p50=%.2f ms p99=%.2f ms p99.9=%.2f ms max=%.2f ms"
                    + " errors=%d %s sender max lag=%.2f ms (of an idle sender: %.2f ms)",
                    scenario, rate, seconds, n, ms(sorted[n / 2]), ms(sorted[(int) (n * 0.99)]),
                    ms(sorted[(int) (n * 0.999)]), ms(sorted[n - 1]), errorTotal, errorCounts,
                    ms(maxSendLag), ms(maxWakeLag));
        }

        private static double ms(long nanos) {
            return nanos / 1e6;
        }
    }
}
