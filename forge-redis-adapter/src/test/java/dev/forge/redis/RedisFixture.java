package dev.forge.redis;

import dev.forge.store.LeasedRecords;
import java.util.ArrayList;
import java.util.List;

/**
 * One test's Redis: a key prefix of its own, any number of backends over it (each plays one
 * node: its own pool and subscriber connection), and removal of every key under the prefix when
 * closed.
 */
final class RedisFixture implements AutoCloseable {

    private final String prefix;
    private final List<RedisBackend> backends = new ArrayList<>();

    private RedisFixture() {
        this.prefix = RedisTestSupport.uniquePrefix();
    }

    /** Skips (or fails under FORGE_REQUIRE_REDIS=1) when Redis is unreachable. */
    static RedisFixture open() {
        RedisTestSupport.requireRedis();
        return new RedisFixture();
    }

    String prefix() {
        return prefix;
    }

    /** A new backend - another node - over this test's keys. */
    synchronized RedisBackend node() {
        return node(new LeasedRecords());
    }

    /** A node whose leases' records age by {@code leased}'s clock. */
    synchronized RedisBackend node(LeasedRecords leased) {
        RedisBackend backend = RedisBackend.connect(RedisTestSupport.settings(prefix), leased);
        backends.add(backend);
        return backend;
    }

    /** Keys under this test's prefix. */
    long keyCount() {
        return RedisTestSupport.countKeys(prefix);
    }

    @Override
    public synchronized void close() {
        try {
            for (RedisBackend backend : backends) {
                backend.close();
            }
        } finally {
            backends.clear();
            RedisTestSupport.deleteKeys(prefix);
        }
    }
}
