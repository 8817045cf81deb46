package dev.forge.postgres;

import dev.forge.lock.ClusterLock;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link ClusterLock} as lease rows: a name is held by the holder in its row until the row's
 * expiry, on the database's clock. One upsert takes a free or lapsed name, or extends the
 * caller's own hold.
 *
 * <p>Why rows and not advisory locks: an advisory lock belongs to a database session, and a
 * pooled connection is handed to another caller the moment a statement ends, so the lock would
 * not belong to the holder; and forge's maintenance takes a lock for an interval and
 * deliberately does not release it ("once per interval across all nodes"), which a
 * session-scoped lock cannot express. A lease row survives the node and expires by itself.
 */
public final class PostgresClusterLock implements ClusterLock {

    private final Sql sql;
    private final String acquireSql;
    private final String releaseSql;

    PostgresClusterLock(Sql sql) {
        this.sql = sql;
        String locks = sql.table("locks");
        this.acquireSql = "INSERT INTO " + locks + " AS l (name, holder, expires_at)"
                + " VALUES (?, ?, now() + ? * interval '1 microsecond')"
                + " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at"
                + " WHERE l.holder = excluded.holder OR l.expires_at <= now()"
                + " RETURNING holder";
        this.releaseSql = "DELETE FROM " + locks + " WHERE name = ? AND holder = ? AND expires_at > now()";
    }

    @Override
    public boolean tryAcquire(String name, String holder, Duration lease) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(lease, "lease");
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be positive, was " + lease);
        }
        long micros = lease.toNanos() / 1_000;
        return sql.run("take a cluster lock", c -> {
            try (PreparedStatement statement = sql.prepare(c, acquireSql)) {
                statement.setString(1, name);
                statement.setString(2, holder);
                statement.setLong(3, micros);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next();
                }
            }
        });
    }

    @Override
    public boolean release(String name, String holder) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(holder, "holder");
        return sql.run("release a cluster lock", c -> {
            try (PreparedStatement statement = sql.prepare(c, releaseSql)) {
                statement.setString(1, name);
                statement.setString(2, holder);
                return statement.executeUpdate() == 1;
            }
        });
    }
}
