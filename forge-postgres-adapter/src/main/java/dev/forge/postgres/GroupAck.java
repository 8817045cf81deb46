package dev.forge.postgres;

import dev.forge.concurrent.GroupCall;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Acks that arrive together leave together: while one DELETE is on its way (its commit waits for
 * the WAL flush, the longest part of an ack), the acks called meanwhile gather, and the next
 * caller deletes them all in one statement ({@link GroupCall}). An ack alone goes at once. Every
 * caller still returns only after its row's delete committed, with its own answer.
 */
final class GroupAck {

    /**
     * The condition on {@code jobs j} of every ack (here and in the task store's final record
     * with its ack): the job is still held by the lease's token, and the lease has not lapsed.
     */
    static String held(String id, String queue, String token) {
        return "j.id = " + id + " AND j.queue = " + queue + " AND j.lease_token = " + token
                + " AND j.visible_at > now()";
    }

    private final Sql sql;
    private final String deleteSql;
    private final GroupCall<Ack, Boolean> acks = new GroupCall<>(this::delete);

    GroupAck(Sql sql) {
        this.sql = sql;
        // The transaction commits without waiting for its WAL flush (set_config(..., true) holds
        // for it only), so a worker is not held for a disk write after its task's final record
        // was stored (synchronously, earlier, so it is on disk before this delete can be). A
        // server crash may lose a delete that was answered: the job then comes back when its
        // lease lapses and is delivered again - at least once, as the port allows - and the
        // executor, finding its task terminal, acks it.
        this.deleteSql = "DELETE FROM " + sql.table("jobs") + " j"
                + " USING set_config('synchronous_commit', 'off', true) s,"
                + " unnest(?::bigint[], ?::text[], ?::text[]) AS a(id, queue, token)"
                + " WHERE " + held("a.id", "a.queue", "a.token")
                + " RETURNING j.id";
    }

    /** Deletes the leased job {@code id} if {@code token} still holds it; false if it does not. */
    boolean ack(long id, String queue, String token) {
        return acks.call(new Ack(id, queue, token));
    }

    private List<Boolean> delete(List<Ack> batch) {
        Set<Long> deleted = sql.run(batch.size() == 1 ? "acknowledge a job" : "acknowledge jobs", c -> {
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
                Set<Long> rows = new HashSet<>();
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        rows.add(result.getLong(1));
                    }
                }
                return rows;
            }
        });
        List<Boolean> answers = new ArrayList<>(batch.size());
        for (Ack ack : batch) {
            // a job acked twice in one batch is deleted once: the first ack of it has it
            answers.add(deleted.remove(ack.id));
        }
        return answers;
    }

    /** One caller's ack. */
    private record Ack(long id, String queue, String token) {
    }
}
