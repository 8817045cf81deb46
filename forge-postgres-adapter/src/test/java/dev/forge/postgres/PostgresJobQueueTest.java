package dev.forge.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.queue.JobQueue;
import dev.forge.queue.JobQueueContract;
import dev.forge.queue.Lease;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The job queue contract against PostgreSQL, in a schema of its own. */
class PostgresJobQueueTest extends JobQueueContract {

    @RegisterExtension
    static final OneDatabasePerClass DATABASE = new OneDatabasePerClass();

    @Override
    protected JobQueue createQueue() {
        DATABASE.get().clean();
        return new PostgresJobQueue(DATABASE.get().sql(), DATABASE.get().backend().listener());
    }

    @Override
    protected JobQueue sameBackendQueue() {
        PostgresBackend node = DATABASE.get().secondNode();
        return new PostgresJobQueue(node.sql(), node.listener());
    }

    @Test
    void leaseSeveral_takesTheWholeBatchInOneCall_andSingleLeasesContinueTheSameFairOrder() throws Exception {
        for (int i = 1; i <= 4; i++) {
            queue.enqueue("build", "a" + i, null, "alice");
            queue.enqueue("build", "b" + i, null, "bob");
        }

        List<Lease> batch = queue.lease(List.of("build"), 5, VISIBILITY, Duration.ZERO);
        // a newcomer joins at the rank of the batch's last job (the virtual time), as after five single
        // leases: behind the job of that rank enqueued before it, ahead of the next rank
        queue.enqueue("build", "c1", null, "carol");
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rest.add(queue.lease("build", VISIBILITY, Duration.ZERO).orElseThrow().payload());
        }

        assertThat(batch).extracting(Lease::payload).containsExactly("a1", "b1", "a2", "b2", "a3");
        assertThat(batch).extracting(Lease::deliveries).containsOnly(1);
        assertThat(rest).containsExactly("b3", "c1", "a4", "b4");
    }

    @Test
    void leaseSeveral_fromSeveralQueues_returnsTheFirstQueueWithJobs_withoutAskingTheNext() throws Exception {
        queue.enqueue("build", "b1");
        queue.enqueue("analysis", "x1");
        queue.enqueue("analysis", "x2");

        List<Lease> batch = queue.lease(List.of("build", "analysis"), 2, VISIBILITY, Duration.ZERO);
        // the caller (the dispatcher) asks again at once for its still free workers
        List<Lease> next = queue.lease(List.of("build", "analysis"), 2, VISIBILITY, Duration.ZERO);

        assertThat(batch).extracting(Lease::payload).containsExactly("b1");
        assertThat(next).extracting(Lease::payload).containsExactly("x1", "x2");
        assertThat(next).extracting(Lease::queue).containsOnly("analysis");
    }

    @Test
    void emptyLease_isARead_thatNeitherTakesNorWaitsForTheQueuesClockRow() throws Exception {
        queue.enqueue("build", "j1");
        queue.ack(queue.lease("build", VISIBILITY, Duration.ZERO).orElseThrow()); // the clock row exists
        ExecutorService leaser = Executors.newSingleThreadExecutor();
        try (Connection holder = PostgresTestDatabase.connect()) {
            holder.setAutoCommit(false);
            try (Statement statement = holder.createStatement()) {
                statement.execute("SELECT * FROM \"" + DATABASE.get().schema()
                        + "\".queue_clocks WHERE queue = 'build' FOR UPDATE");
            }
            // a lease that took the row's lock would wait for this transaction until its
            // statement timeout, and fail
            Future<List<Lease>> empty = leaser.submit(
                    () -> queue.lease(List.of("build", "analysis"), 5, VISIBILITY, Duration.ZERO));

            assertThat(empty.get(PROMPT_SECONDS, TimeUnit.SECONDS)).isEmpty();
            holder.rollback();
        } finally {
            leaser.shutdownNow();
        }
        queue.enqueue("build", "j2");
        assertThat(queue.lease("build", VISIBILITY, Duration.ZERO)).map(Lease::payload).contains("j2");
    }

    @Test
    void enqueueAll_isOneInsert_inOrder_andWakesAWaitingWorkerOnAnotherNode() throws Exception {
        PostgresJobQueue postgres = (PostgresJobQueue) queue;
        JobQueue other = secondNode();
        ExecutorService waiter = Executors.newSingleThreadExecutor();
        try {
            Future<List<Lease>> waiting =
                    waiter.submit(() -> other.lease(List.of("build"), 10, VISIBILITY, Duration.ofSeconds(30)));
            Thread.sleep(200); // the other node is waiting on the empty queue

            List<String> ids = postgres.enqueueAll("build", List.of("j1", "j2", "j3"), Duration.ZERO,
                    List.of("alice", "alice", "bob"));

            assertThat(ids).hasSize(3).doesNotHaveDuplicates();
            List<Lease> leased = new ArrayList<>(waiting.get(PROMPT_SECONDS, TimeUnit.SECONDS));
            while (leased.size() < 3) {
                leased.add(queue.lease("build", VISIBILITY, Duration.ZERO).orElseThrow());
            }
            // fair order: bob's first job goes before alice's second
            assertThat(leased).extracting(Lease::payload).containsExactly("j1", "j3", "j2");
            assertThat(leased).extracting(Lease::jobId).containsExactly(ids.get(0), ids.get(2), ids.get(1));
            assertThat(postgres.depth("build", "alice")).isEqualTo(2);
            assertThat(postgres.depth("build", "bob")).isEqualTo(1);
            assertThat(postgres.enqueueAll("build", List.of(), Duration.ZERO, List.of())).isEmpty();
        } finally {
            waiter.shutdownNow();
        }
    }

    @Test
    void ack_byManyThreadsAtOnce_eachGetsItsOwnAnswer_andADoubleAckWinsOnce() throws Exception {
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            payloads.add("j" + i);
        }
        queue.enqueueAll("build", payloads, Duration.ZERO, Collections.nCopies(payloads.size(), ""));
        List<Lease> leases = queue.lease(List.of("build"), 40, VISIBILITY, Duration.ZERO);
        assertThat(leases).hasSize(40);
        Lease lapsed = new Lease("build", leases.get(0).jobId(), "x", "not-the-token", 1, leases.get(0).expiresAt());
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try {
            List<Future<Boolean>> answers = new ArrayList<>();
            answers.add(threads.submit(() -> queue.ack(lapsed)));
            for (Lease lease : leases) {
                answers.add(threads.submit(() -> queue.ack(lease)));
            }
            // every lease acked a second time: exactly one of the two acks of each job wins
            for (Lease lease : leases) {
                answers.add(threads.submit(() -> queue.ack(lease)));
            }
            int won = 0;
            for (Future<Boolean> answer : answers) {
                won += answer.get(PROMPT_SECONDS * 4, TimeUnit.SECONDS) ? 1 : 0;
            }

            assertThat(answers.get(0).get()).as("an ack with a stale token").isFalse();
            assertThat(won).isEqualTo(40);
            assertThat(queue.depth("build")).isZero();
        } finally {
            threads.shutdownNow();
        }
    }
}
