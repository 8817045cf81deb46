package dev.forge.postgres;

import dev.forge.InfrastructureException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Acks that arrive together leave together: while one DELETE is on its way (its commit waits for
 * the WAL flush, the longest part of an ack), the acks called meanwhile gather, and the next
 * caller deletes them all in one statement. One caller runs each statement (no thread of its
 * own), the others wait for its answer; an ack alone goes at once. Every caller still returns
 * only after its row's delete committed, with its own answer.
 */
final class GroupAck {

    private final Sql sql;
    private final String deleteSql;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition finished = lock.newCondition();
    private List<Ack> waiting = new ArrayList<>();
    private boolean deleting;

    GroupAck(Sql sql) {
        this.sql = sql;
        this.deleteSql = "DELETE FROM " + sql.table("jobs") + " j"
                + " USING unnest(?::bigint[], ?::text[], ?::text[]) AS a(id, queue, token)"
                + " WHERE j.id = a.id AND j.queue = a.queue AND j.lease_token = a.token"
                + " AND j.visible_at > now() RETURNING j.id";
    }

    /** Deletes the leased job {@code id} if {@code token} still holds it; false if it does not. */
    boolean ack(long id, String queue, String token) {
        Ack mine = new Ack(id, queue, token);
        List<Ack> batch;
        lock.lock();
        try {
            waiting.add(mine);
            while (deleting && !mine.answered) {
                finished.awaitUninterruptibly();
            }
            if (mine.answered) {
                return mine.answer();
            }
            deleting = true;
            batch = waiting;
            waiting = new ArrayList<>();
        } finally {
            lock.unlock();
        }
        RuntimeException failure = null;
        Set<Long> deleted = Set.of();
        try {
            deleted = delete(batch);
        } catch (RuntimeException e) {
            failure = e;
        }
        lock.lock();
        try {
            for (Ack ack : batch) {
                // a job acked twice in one batch is deleted once: the first ack of it has it
                ack.deleted = failure == null && deleted.remove(ack.id);
                ack.failure = failure;
                ack.answered = true;
            }
            deleting = false;
            finished.signalAll();
        } finally {
            lock.unlock();
        }
        return mine.answer();
    }

    private Set<Long> delete(List<Ack> batch) {
        return sql.run(batch.size() == 1 ? "acknowledge a job" : "acknowledge jobs", c -> {
            Long[] ids = new Long[batch.size()];
            String[] queues = new String[batch.size()];
            String[] tokens = new String[batch.size()];
            for (int i = 0; i < ids.length; i++) {
                Ack ack = batch.get(i);
                ids[i] = ack.id;
                queues[i] = ack.queue;
                tokens[i] = ack.token;
            }
            try (PreparedStatement statement = sql.prepare(c, deleteSql)) {
                statement.setArray(1, c.createArrayOf("bigint", ids));
                statement.setArray(2, c.createArrayOf("text", queues));
                statement.setArray(3, c.createArrayOf("text", tokens));
                Set<Long> deleted = new HashSet<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        deleted.add(rows.getLong(1));
                    }
                }
                return deleted;
            }
        });
    }

    /** One caller's ack; its fields are written under the lock before it reads them. */
    private static final class Ack {
        final long id;
        final String queue;
        final String token;
        boolean answered;
        boolean deleted;
        RuntimeException failure;

        Ack(long id, String queue, String token) {
            this.id = id;
            this.queue = queue;
            this.token = token;
        }

        boolean answer() {
            // the batch shares one failure: each caller gets an exception of its own
            if (failure instanceof IllegalArgumentException) {
                throw new IllegalArgumentException(failure.getMessage(), failure);
            }
            if (failure != null) {
                throw new InfrastructureException(failure.getMessage(), failure);
            }
            return deleted;
        }
    }
}
