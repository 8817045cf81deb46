package dev.forge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.store.LeasedRecords;
import dev.forge.store.TaskStore;
import dev.forge.store.TaskStoreContract;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.testing.Concurrently;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The task store contract against PostgreSQL, in a schema of its own. */
class PostgresTaskStoreTest extends TaskStoreContract {

    @RegisterExtension
    static final OneDatabasePerClass DATABASE = new OneDatabasePerClass();

    /** Shared by the store and this backend's queues, as in {@link PostgresBackend}. */
    private LeasedRecords leased;

    @Test
    void results_doublesInExponentNotation_comeBackAsDoubles() {
        TaskRecord task = created("alice", TaskKind.BUILD);
        Map<String, Object> results = Map.of("big", 1e20, "small", 1e-7, "whole", 1e15, "int", 7,
                "long", 5_000_000_000L);
        TaskRecord running = task.start(clock.instant());
        assertThat(store.compareAndSet(task, running)).isTrue();
        TaskRecord done = running.transitionTo(TaskStatus.COMPLETED, results, null, clock.instant());

        assertThat(store.compareAndSet(running, done)).isTrue();

        assertThat(store.find(task.id()).orElseThrow().results()).isEqualTo(results);
    }

    @Test
    void createAll_isOneTransaction_anIdThatExists_storesNoneOfTheBatch() {
        TaskRecord first = created("alice", TaskKind.BUILD);
        TaskRecord fresh = newTask("alice", TaskKind.BUILD);
        TaskRecord twin = TaskRecord.create(first.id(), TaskKind.BUILD, "alice", "other", "", Map.of(), null, 2,
                clock.instant());

        assertThatThrownBy(() -> store.createAll(List.of(fresh, twin)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(first.id().value());

        assertThat(store.find(fresh.id())).isEmpty();
        assertThat(store.listByOwner("alice", TaskKind.BUILD, 10, 0).items()).containsExactly(first);
    }

    @Test
    void compareAndSet_manyThreadsOnOneTask_exactlyOneWinsAndItsRecordIsStored() throws Exception {
        for (int round = 0; round < 20; round++) {
            TaskRecord task = created("alice", TaskKind.BUILD);
            List<TaskRecord> winners = new CopyOnWriteArrayList<>();
            Concurrently.run(16, thread -> {
                TaskRecord next = task.start(clock.instant()).withProgress(thread, "thread " + thread, clock.instant());
                if (store.compareAndSet(task, next)) {
                    winners.add(next);
                }
            });
            assertThat(winners).as("round " + round).hasSize(1);
            assertThat(store.find(task.id())).contains(winners.get(0));
        }
    }

    @Test
    void compareAndSetBatch_twoSetsOfOneTask_theFirstWins_andEveryOtherTaskGetsItsOwnAnswer() {
        TaskRecord a = created("alice", TaskKind.BUILD);
        TaskRecord b = created("alice", TaskKind.BUILD);
        TaskRecord c = created("alice", TaskKind.BUILD);
        TaskRecord stale = rewrite(c, TaskStatus.INITIALIZING, c.version() + 5);
        TaskRecord first = b.start(clock.instant());
        TaskRecord second = b.start(clock.instant()).withProgress(50, "second", clock.instant());

        // b before a in arrival order: the batch sorts by id to lock, the answers keep the order
        List<PostgresTaskStore.Answer> answers = postgres().compareAndSetAll(List.of(
                new PostgresTaskStore.Cas(b, first), new PostgresTaskStore.Cas(a, a.start(clock.instant())),
                new PostgresTaskStore.Cas(b, second), new PostgresTaskStore.Cas(stale, stale.start(clock.instant()))));

        assertThat(answers).extracting(PostgresTaskStore.Answer::get).containsExactly(true, true, false, false);
        assertThat(store.find(b.id())).contains(first);
        assertThat(store.find(a.id()).orElseThrow().status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(store.find(c.id())).contains(c);
    }

    @Test
    void compareAndSetBatch_aRecordTheStoreRefuses_failsOnlyItsOwnCaller() {
        TaskRecord good = created("alice", TaskKind.BUILD).start(clock.instant());
        TaskRecord bad = created("alice", TaskKind.BUILD).start(clock.instant());
        store.compareAndSet(store.find(good.id()).orElseThrow(), good);
        store.compareAndSet(store.find(bad.id()).orElseThrow(), bad);
        TaskRecord done = good.transitionTo(TaskStatus.COMPLETED, Map.of("tests", 3), null, clock.instant());
        TaskRecord refused = bad.transitionTo(TaskStatus.COMPLETED, Map.of("nan", Double.NaN), null, clock.instant());

        List<PostgresTaskStore.Answer> answers = postgres().compareAndSetAll(List.of(
                new PostgresTaskStore.Cas(good, done), new PostgresTaskStore.Cas(bad, refused)));

        assertThat(answers.get(0).get()).isTrue();
        assertThatThrownBy(() -> answers.get(1).get()).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.find(good.id())).contains(done);
        assertThat(store.find(bad.id())).contains(bad);
    }

    @Test
    void compareAndSetBatches_ofTwoNodesOverTheSameTasksInOppositeOrders_neverDeadlock() throws Exception {
        PostgresTaskStore other = (PostgresTaskStore) secondNode();
        for (int round = 0; round < 10; round++) {
            List<TaskRecord> tasks = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                tasks.add(created("alice", TaskKind.BUILD));
            }
            List<PostgresTaskStore.Answer> answers = new CopyOnWriteArrayList<>();
            // in arrival order, each transaction would lock rows the other one needs next
            Concurrently.run(2, thread -> {
                List<PostgresTaskStore.Cas> batch = new ArrayList<>();
                for (int i = 0; i < tasks.size(); i++) {
                    TaskRecord task = tasks.get(thread == 0 ? i : tasks.size() - 1 - i);
                    batch.add(new PostgresTaskStore.Cas(task, task.start(clock.instant())));
                }
                answers.addAll((thread == 0 ? postgres() : other).compareAndSetAll(batch));
            });
            assertThat(answers).extracting(PostgresTaskStore.Answer::get).as("round " + round)
                    .hasSize(80).filteredOn(won -> won).hasSize(40);
        }
    }

    @Test
    void compareAndSetBatch_withAcks_acksOnlyTheJobsOfStoredRecords() throws Exception {
        try (PostgresJobQueue queue = ownQueue()) {
            TaskRecord stored = running(created("alice", TaskKind.BUILD));
            TaskRecord refused = running(created("alice", TaskKind.BUILD));
            TaskRecord plain = created("alice", TaskKind.BUILD);
            Lease storedLease = leasedJob(queue, stored);
            Lease refusedLease = leasedJob(queue, refused);
            TaskRecord stale = rewrite(refused, TaskStatus.RUNNING, refused.version() + 5);

            List<PostgresTaskStore.Answer> answers = postgres().compareAndSetAll(List.of(
                    new PostgresTaskStore.Cas(stored, completed(stored), storedLease),
                    new PostgresTaskStore.Cas(stale, completed(stale), refusedLease),
                    new PostgresTaskStore.Cas(plain, plain.start(clock.instant()))));

            assertThat(answers).extracting(PostgresTaskStore.Answer::get).containsExactly(true, false, true);
            assertThat(store.find(stored.id()).orElseThrow().status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(store.find(refused.id())).contains(refused);
            assertThat(queue.ack(storedLease)).as("acked with its record").isFalse();
            assertThat(queue.ack(refusedLease)).as("still held: its record was not stored").isTrue();
        }
    }

    @Test
    void compareAndSetAndAck_isOneTransaction_theRecordIsNotCommittedWhileTheAckWaits() throws Exception {
        try (PostgresJobQueue queue = ownQueue(); Connection holder = PostgresTestDatabase.connect()) {
            TaskRecord task = running(created("alice", TaskKind.BUILD));
            Lease lease = leasedJob(queue, task);
            holder.setAutoCommit(false);
            try (Statement lock = holder.createStatement()) {
                lock.execute("SELECT 1 FROM " + jobs() + " WHERE id = " + lease.jobId() + " FOR UPDATE");
            }
            CompletableFuture<Boolean> settled = CompletableFuture.supplyAsync(
                    () -> store.compareAndSetAndAck(task, completed(task), queue, lease));

            awaitAStatementWaitingForALock("DELETE FROM " + jobs());
            assertThat(committedVersion(task.id())).as("not committed before the ack").isEqualTo(task.version());
            holder.commit();

            assertThat(settled.get(30, TimeUnit.SECONDS)).isTrue();
            assertThat(committedVersion(task.id())).isEqualTo(task.version() + 1);
            assertThat(queue.depth(SETTLE)).isZero();
        }
    }

    /** One record (one statement) and a batch (a transaction of several). */
    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void createAllAndEnqueue_anIdThatExists_storesNoneOfTheBatchAndQueuesNothing(int size) {
        try (PostgresJobQueue queue = ownQueue()) {
            TaskRecord first = created("alice", TaskKind.BUILD);
            List<TaskRecord> batch = new ArrayList<>();
            for (int i = 1; i < size; i++) {
                batch.add(newTask("alice", TaskKind.BUILD));
            }
            batch.add(TaskRecord.create(first.id(), TaskKind.BUILD, "alice", "other", "", Map.of(), null, 2,
                    clock.instant()));

            assertThatThrownBy(() -> store.createAllAndEnqueue(batch, queue, SETTLE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(first.id().value());

            for (TaskRecord fresh : batch.subList(0, size - 1)) {
                assertThat(store.find(fresh.id())).isEmpty();
            }
            assertThat(store.find(first.id())).contains(first);
            assertThat(queue.depth(SETTLE)).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void createAllAndEnqueue_isOneTransaction_theRecordsAreNotCommittedWhileTheJobsWait(int size) throws Exception {
        try (PostgresJobQueue queue = ownQueue(); Connection holder = PostgresTestDatabase.connect()) {
            List<TaskRecord> batch = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                batch.add(newTask(i % 2 == 0 ? "alice" : "bob", TaskKind.BUILD));
            }
            TaskId[] ids = batch.stream().map(TaskRecord::id).toArray(TaskId[]::new);
            holder.setAutoCommit(false);
            try (Statement lock = holder.createStatement()) {
                // an INSERT takes ROW EXCLUSIVE, which SHARE blocks
                lock.execute("LOCK TABLE " + jobs() + " IN SHARE MODE");
            }
            CompletableFuture<Void> submitted = CompletableFuture.runAsync(
                    () -> store.createAllAndEnqueue(batch, queue, SETTLE));

            // one job: an INSERT INTO jobs; more: a call of enqueue_ranked (the V7 migration)
            awaitAStatementWaitingForALock("\"" + DATABASE.get().schema() + "\".");
            assertThat(committedCount(ids)).as("not committed before the jobs").isZero();
            holder.commit();

            submitted.get(30, TimeUnit.SECONDS);
            assertThat(committedCount(ids)).isEqualTo(size);
            assertThat(queue.depth(SETTLE)).isEqualTo(size);
        }
    }

    private static final String SETTLE = "settle";

    private PostgresJobQueue ownQueue() {
        return new PostgresJobQueue(DATABASE.get().sql(), DATABASE.get().backend().listener(), false, leased);
    }

    private TaskRecord running(TaskRecord task) {
        TaskRecord running = task.start(clock.instant());
        assertThat(store.compareAndSet(task, running)).isTrue();
        return running;
    }

    private TaskRecord completed(TaskRecord task) {
        return task.transitionTo(TaskStatus.COMPLETED, Map.of(), null, clock.instant());
    }

    private static Lease leasedJob(PostgresJobQueue queue, TaskRecord task) throws InterruptedException {
        queue.enqueue(SETTLE, task.id().value(), Duration.ZERO, task.owner());
        return queue.lease(SETTLE, Duration.ofMinutes(5), Duration.ZERO).orElseThrow();
    }

    private static String jobs() {
        return "\"" + DATABASE.get().schema() + "\".jobs";
    }

    /** Waits (a condition, not a time) until some session's statement containing {@code text} waits for a lock. */
    private static void awaitAStatementWaitingForALock(String text) throws Exception {
        try (Connection c = PostgresTestDatabase.connect(); Statement s = c.createStatement()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                try (ResultSet rows = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        + " AND query LIKE '%" + text + "%'")) {
                    rows.next();
                    if (rows.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.onSpinWait();
            }
            throw new AssertionError("no statement with " + text + " waited for a lock");
        }
    }

    private static long committedCount(TaskId... ids) throws Exception {
        StringBuilder in = new StringBuilder();
        for (TaskId id : ids) {
            in.append(in.length() == 0 ? "'" : ", '").append(id.value()).append('\'');
        }
        try (Connection c = PostgresTestDatabase.connect(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT count(*) FROM \"" + DATABASE.get().schema()
                     + "\".tasks WHERE id IN (" + in + ")")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static long committedVersion(TaskId id) throws Exception {
        try (Connection c = PostgresTestDatabase.connect(); Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT version FROM \"" + DATABASE.get().schema()
                     + "\".tasks WHERE id = '" + id.value() + "'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    @Test
    void findBatch_answersEachIdInOrder_missingAndRepeatedIdsToo() {
        TaskRecord a = created("alice", TaskKind.BUILD);
        TaskRecord b = created("bob", TaskKind.BUILD);
        TaskId missing = TaskId.of("missing");

        List<Optional<TaskRecord>> found = postgres().findAll(List.of(b.id(), missing, a.id(), b.id()));

        assertThat(found).containsExactly(Optional.of(b), Optional.empty(), Optional.of(a), Optional.of(b));
    }

    @Test
    void find_manyThreadsAtOnce_eachGetsItsOwnTask() throws Exception {
        List<TaskRecord> tasks = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            tasks.add(created("alice", TaskKind.BUILD));
        }
        Concurrently.run(16, thread -> {
            for (int i = 0; i < 50; i++) {
                int n = (thread * 7 + i) % 40;
                if (n < tasks.size()) {
                    assertThat(store.find(tasks.get(n).id())).contains(tasks.get(n));
                } else {
                    assertThat(store.find(TaskId.of("none-" + n))).isEmpty();
                }
            }
        });
    }

    private PostgresTaskStore postgres() {
        return (PostgresTaskStore) store;
    }

    @Override
    protected TaskStore createStore() {
        DATABASE.get().clean();
        // records a lease read never age here: a busy machine may pause longer than their
        // second between a test's lease and its find (LeasedRecordsTest covers the ageing)
        leased = new LeasedRecords(() -> 0L);
        return new PostgresTaskStore(DATABASE.get().sql(), DEFAULT_LOG_CAP, leased);
    }

    /**
     * This backend's own queue: the contract then runs the one-transaction path, and its finds
     * after a lease take the record the lease read.
     */
    @Override
    protected JobQueue queueOfThisBackend() {
        return ownQueue();
    }

    @Override
    protected boolean leasesCarryRecords() {
        return true;
    }

    @Override
    protected boolean startsTasksInItsLease() {
        return true;
    }

    @Override
    protected TaskStore sameBackendStore() {
        return new PostgresTaskStore(DATABASE.get().secondNode().sql(), DEFAULT_LOG_CAP);
    }
}
