package dev.forge.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.forge.Health;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * What a {@code FORGE_ROLE=worker} node serves: only {@code /api/health/live} and
 * {@code /api/health/ready} (200, or 503 problem+json), so an orchestrator can probe it while
 * the API itself runs on other nodes. Everything else is 404. The JDK's own HTTP server keeps
 * the worker free of the web stack it does not use.
 */
final class WorkerHealthServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService threads;

    private WorkerHealthServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    static WorkerHealthServer start(String host, int port, Supplier<Health> health) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
            ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
                Thread thread = new Thread(r, "forge-worker-health");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(threads);
            server.createContext("/", exchange -> answer(exchange, health));
            server.start();
            return new WorkerHealthServer(server, threads);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
        }
    }

    private static void answer(HttpExchange exchange, Supplier<Health> health) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().replaceAll("/+$", "");
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                send(exchange, 405, problem(405, "method-not-allowed", "Method not allowed"));
                return;
            }
            Health now;
            switch (path) {
                case "/api/health/live" -> {
                    now = health.get();
                    send(exchange, now.alive() ? 200 : 503, now.alive() ? "{\"status\":\"alive\"}"
                            : problem(503, "not-alive", "Not alive"));
                }
                case "/api/health/ready" -> {
                    now = health.get();
                    send(exchange, now.ready() ? 200 : 503, now.ready() ? "{\"status\":\"ready\"}"
                            : problem(503, "not-ready", "Not ready"));
                }
                default -> send(exchange, 404, problem(404, "not-found",
                        "Not found: this is a worker node, which serves only /api/health/live and /ready"));
            }
        }
    }

    private static String problem(int status, String slug, String title) {
        return "{\"type\":\"urn:forge:problem:" + slug + "\",\"title\":\"" + title
                + "\",\"status\":" + status + "}";
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type",
                status >= 400 ? "application/problem+json" : "application/json");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
