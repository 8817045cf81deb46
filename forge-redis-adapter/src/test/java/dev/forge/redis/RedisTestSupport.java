package dev.forge.redis;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * What every Redis test needs: the server (env {@code FORGE_REDIS_URL}, default
 * {@code redis://127.0.0.1:6379/0}), a key prefix of its own, and removal of exactly its keys
 * afterwards. When Redis is unreachable the test is skipped with a message - unless env
 * {@code FORGE_REQUIRE_REDIS=1} (CI sets it), when it fails instead.
 */
final class RedisTestSupport {

    static final String URL = System.getenv().getOrDefault("FORGE_REDIS_URL", "redis://127.0.0.1:6379/0");

    private RedisTestSupport() {
    }

    /** Skips (or, when Redis is required, fails) unless Redis accepts a connection. */
    static void requireRedis() {
        java.net.URI uri = java.net.URI.create(URL);
        boolean up;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()), 1000);
            up = true;
        } catch (java.io.IOException e) {
            up = false;
        }
        if (!up && "1".equals(System.getenv("FORGE_REQUIRE_REDIS"))) {
            throw new AssertionError("Redis is not reachable at " + URL + " and FORGE_REQUIRE_REDIS=1");
        }
        assumeTrue(up, "Redis is not reachable at " + URL + "; set FORGE_REDIS_URL or start Redis"
                + " (these tests are skipped, not passed)");
    }

    /** A prefix no other run uses. */
    static String uniquePrefix() {
        return "forge-test-" + UUID.randomUUID() + ":";
    }

    static RedisSettings settings(String prefix) {
        return RedisSettings.custom().uri(URL).keyPrefix(prefix).idlePoll(java.time.Duration.ofMillis(200)).build();
    }

    /** Removes every key under {@code prefix} (SCAN + DEL). */
    static void deleteKeys(String prefix) {
        try (RedisClient client = RedisClient.create(java.net.URI.create(URL))) {
            String cursor = ScanParams.SCAN_POINTER_START;
            ScanParams params = new ScanParams().match(prefix + "*").count(1000);
            do {
                ScanResult<String> page = client.scan(cursor, params);
                List<String> keys = new ArrayList<>(page.getResult());
                if (!keys.isEmpty()) {
                    client.del(keys.toArray(new String[0]));
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
    }

    /** How many keys exist under {@code prefix}. */
    static long countKeys(String prefix) {
        long count = 0;
        try (RedisClient client = RedisClient.create(java.net.URI.create(URL))) {
            String cursor = ScanParams.SCAN_POINTER_START;
            ScanParams params = new ScanParams().match(prefix + "*").count(1000);
            do {
                ScanResult<String> page = client.scan(cursor, params);
                count += page.getResult().size();
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        return count;
    }
}
