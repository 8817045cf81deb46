package dev.forge.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.forge.queue.InMemoryJobQueue;
import dev.forge.queue.JobQueue;
import dev.forge.queue.Lease;
import dev.forge.task.Page;
import dev.forge.task.TaskError;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.testing.Concurrently;
import dev.forge.testing.ForwardingQueue;
import dev.forge.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link TaskStore} must do. An adapter's test extends this class and implements
 * {@link #createStore} (an empty store on a clean backend, with the default log cap of 5 MiB) and
 * {@link #sameBackendStore} (another instance over the backend of the last {@code createStore}:
 * a second node).
 *
 * <p>A store does the atomic compare on the version, the indexes, paging, logs and retention;
 * the domain rules are core's ({@code TaskChangesTest}, {@code TaskTransitionsProperties}) and a
 * store must not re-check them. The clock here only stamps records: a store reads no time.
 */
public abstract class TaskStoreContract {

    /** The default per-task log cap every store uses unless configured otherwise. */
    protected static final int DEFAULT_LOG_CAP = 5 * 1024 * 1024;

    private static final Pattern CUT_MARKER =
            Pattern.compile("^\\.\\.\\. \\[(\\d+) lines, (\\d+) bytes cut] \\.\\.\\.$", Pattern.MULTILINE);

    /** The clock tests stamp records with. */
    protected MutableClock clock;
    /** The store under test, first node. */
    protected TaskStore store;
    private final List<TaskStore> nodes = new CopyOnWriteArrayList<>();
    private int nextId;

    /** A new, empty store on a clean backend. */
    protected abstract TaskStore createStore();

    /** Another instance over the backend of the last {@link #createStore}: a second node. */
    protected abstract TaskStore sameBackendStore();

    @BeforeEach
    void setUpStore() {
        clock = MutableClock.startingAt2026();
        store = createStore();
    }

    @AfterEach
    void closeStore() {
        nodes.forEach(TaskStore::close);
        store.close();
    }

    /**
     * A job queue on the backend of the last {@link #createStore}, for
     * {@link TaskStore#compareAndSetAndAck}; closed by the caller. Stores that settle a job in
     * one step with their own backend's queue override this; the default is an in-memory queue,
     * which takes the store's default path (store, then ack).
     */
    protected JobQueue queueOfThisBackend() {
        return new InMemoryJobQueue(clock);
    }

    /**
     * Whether the leases of {@link #queueOfThisBackend()} read each job's task record for the
     * store's next find on this node ({@link LeasedRecords}); such a store then runs the tests of
     * what that find returns. Records must not age in the suite (a busy machine may pause
     * between a lease and its find longer than they live).
     */
    protected boolean leasesCarryRecords() {
        return false;
    }

    /**
     * Whether {@link TaskStore#leaseAndStart} with {@link #queueOfThisBackend()} moves the leased
     * jobs' tasks to running in its lease; such a store then runs the tests of what it starts.
     */
    protected boolean startsTasksInItsLease() {
        return false;
    }

    /** A second node over the same backend, closed after the test. */
    protected TaskStore secondNode() {
        TaskStore node = sameBackendStore();
        nodes.add(node);
        return node;
    }

    /** A new initializing task created now; the clock then moves one second. */
    protected TaskRecord newTask(String owner, TaskKind kind) {
        TaskRecord record = TaskRecord.create(TaskId.of("t" + (++nextId)), kind, owner, "demo",
                "build it", Map.of("flavor", "mint"), List.of(), 3, clock.instant());
        clock.advance(Duration.ofSeconds(1));
        return record;
    }

    /** Creates a new task in the store. */
    protected TaskRecord created(String owner, TaskKind kind) {
        TaskRecord record = newTask(owner, kind);
        store.create(record);
        return record;
    }

    /** A copy with another status and version, bypassing the record's own transition checks. */
    protected static TaskRecord rewrite(TaskRecord r, TaskStatus status, long version) {
        return new TaskRecord(r.id(), r.kind(), r.owner(), r.projectName(), r.goal(), r.parameters(),
                r.analysisTypes(), status, r.progress(), r.currentStep(), r.attempt(),
                r.maxAttempts(), r.results(), r.error(), r.createdAt(), r.updatedAt(),
                r.startedAt(), status.isTerminal() ? r.updatedAt() : null, version);
    }

    /** Appends one line. */
    protected long appendLog(TaskId id, String line) {
        return store.appendLogs(id, List.of(line));
    }

    private TaskRecord stored(TaskRecord record) {
        return store.find(record.id()).orElseThrow();
    }

    private TaskRecord moveTo(TaskRecord current, TaskStatus status) {
        TaskRecord next = status == TaskStatus.RUNNING && current.status() == TaskStatus.INITIALIZING
                ? current.start(clock.instant())
                : current.transitionTo(status, null,
                        status == TaskStatus.FAILED ? new TaskError(TaskError.TASK, "broke") : null,
                        clock.instant());
        assertThat(store.compareAndSet(current, next)).isTrue();
        return next;
    }

    // ---- create and find

    @Test
    void create_thenFindReturnsEqualRecord() {
        TaskRecord record = created("alice", TaskKind.BUILD);

        assertThat(store.find(record.id())).contains(record);
    }

    @Test
    void find_unknownId_isEmpty() {
        created("alice", TaskKind.BUILD);

        assertThat(store.find(TaskId.of("nope"))).isEmpty();
    }

    @Test
    void create_duplicateId_throwsAndKeepsTheFirst() {
        TaskRecord first = created("alice", TaskKind.BUILD);
        TaskRecord twin = TaskRecord.create(first.id(), TaskKind.ANALYSIS, "bob", "other", "",
                Map.of(), List.of("quality"), 2, clock.instant());

        assertThatThrownBy(() -> store.create(twin)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.find(first.id())).contains(first);
        assertThat(store.listByOwner("bob", TaskKind.ANALYSIS, 10, 0).total()).isZero();
    }

    @Test
    void createAll_storesEachRecord_indexedAsCreateWould() {
        List<TaskRecord> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(newTask(i % 2 == 0 ? "alice" : "bob", TaskKind.BUILD));
        }
        batch.add(newTask("alice", TaskKind.ANALYSIS));

        store.createAll(batch);
        store.createAll(List.of());

        for (TaskRecord record : batch) {
            assertThat(store.find(record.id())).contains(record);
        }
        assertThat(store.listByOwner("alice", TaskKind.BUILD, 10, 0).items())
                .containsExactly(batch.get(4), batch.get(2), batch.get(0));
        assertThat(store.listAll(TaskKind.BUILD, 10, 0).total()).isEqualTo(5);
        assertThat(secondNode().find(batch.get(5).id())).contains(batch.get(5));
    }

    @Test
    void createAll_anIdThatExists_throwsAndKeepsTheFirst() {
        TaskRecord first = created("alice", TaskKind.BUILD);
        TaskRecord fresh = newTask("alice", TaskKind.BUILD);
        TaskRecord twin = TaskRecord.create(first.id(), TaskKind.ANALYSIS, "bob", "other", "",
                Map.of(), List.of("quality"), 2, clock.instant());

        assertThatThrownBy(() -> store.createAll(List.of(fresh, twin)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.find(first.id())).contains(first);
        assertThat(store.listByOwner("bob", TaskKind.ANALYSIS, 10, 0).total()).isZero();
    }

    // ---- compare-and-set

    @Test
    void compareAndSet_currentExpected_storesNext() {
        TaskRecord record = created("alice", TaskKind.BUILD);
        TaskRecord running = record.start(clock.instant());

        assertThat(store.compareAndSet(record, running)).isTrue();
        assertThat(stored(record)).isEqualTo(running);
        assertThat(stored(record).version()).isEqualTo(1);
    }

    @Test
    void compareAndSet_sameNonTerminalStatus_storesProgress() {
        TaskRecord running = moveTo(created("alice", TaskKind.BUILD), TaskStatus.RUNNING);
        TaskRecord progressed = running.withProgress(40, "compile", clock.instant());

        assertThat(store.compareAndSet(running, progressed)).isTrue();
        assertThat(stored(running).progress()).isEqualTo(40);
        assertThat(stored(running).currentStep()).isEqualTo("compile");
    }

    @Test
    void compareAndSet_staleVersion_returnsFalseAndKeepsStored() {
        TaskRecord record = created("alice", TaskKind.BUILD);
        TaskRecord progressed = record.withProgress(10, "clone", clock.instant());
        assertThat(store.compareAndSet(record, progressed)).isTrue();

        TaskRecord staleNext = record.start(clock.instant());

        assertThat(store.compareAndSet(record, staleNext)).isFalse();
        assertThat(stored(record)).isEqualTo(progressed);
    }

    @Test
    void compareAndSetAndAck_currentExpected_storesNextAndAcksTheJob() throws Exception {
        try (JobQueue queue = queueOfThisBackend()) {
            TaskRecord running = moveTo(created("alice", TaskKind.BUILD), TaskStatus.RUNNING);
            Lease lease = leasedJobOf(queue, running);
            TaskRecord done = running.transitionTo(TaskStatus.COMPLETED, Map.of("tests", 3), null, clock.instant());

            assertThat(store.compareAndSetAndAck(running, done, queue, lease)).isTrue();

            assertThat(stored(running)).isEqualTo(done);
            assertThat(queue.depth(SETTLE_QUEUE)).isZero();
            assertThat(queue.ack(lease)).as("already acked").isFalse();
        }
    }

    @Test
    void compareAndSetAndAck_staleVersion_storesNothingAndLeavesTheJobLeased() throws Exception {
        try (JobQueue queue = queueOfThisBackend()) {
            TaskRecord running = moveTo(created("alice", TaskKind.BUILD), TaskStatus.RUNNING);
            Lease lease = leasedJobOf(queue, running);
            TaskRecord cancelled = moveTo(running, TaskStatus.CANCELLED);
            TaskRecord done = running.transitionTo(TaskStatus.COMPLETED, Map.of(), null, clock.instant());

            assertThat(store.compareAndSetAndAck(running, done, queue, lease)).isFalse();

            assertThat(stored(running)).isEqualTo(cancelled);
            assertThat(queue.depth(SETTLE_QUEUE)).isEqualTo(1);
            assertThat(queue.ack(lease)).as("still held by its lease").isTrue();
        }
    }

    @Test
    void createAllAndEnqueue_storesEachRecordAndQueuesItsJobInItsOwnersGroup() throws Exception {
        try (JobQueue queue = queueOfThisBackend()) {
            TaskRecord first = newTask("alice", TaskKind.BUILD);
            TaskRecord second = newTask("bob", TaskKind.BUILD);
            TaskRecord third = newTask("alice", TaskKind.BUILD);

            store.createAllAndEnqueue(List.of(first, second, third), queue, SETTLE_QUEUE);

            assertThat(stored(first)).isEqualTo(first);
            assertThat(stored(second)).isEqualTo(second);
            assertThat(stored(third)).isEqualTo(third);
            assertThat(queue.depth(SETTLE_QUEUE, "alice")).isEqualTo(2);
            assertThat(queue.depth(SETTLE_QUEUE, "bob")).isEqualTo(1);
            List<String> payloads = new ArrayList<>();
            for (Lease lease : queue.lease(List.of(SETTLE_QUEUE), 3, Duration.ofMinutes(5), Duration.ZERO)) {
                payloads.add(lease.payload());
            }
            // the groups take turns: alice's second job waits behind bob's first
            assertThat(payloads).containsExactly(first.id().value(), second.id().value(), third.id().value());
        }
    }

    @Test
    void createAllAndEnqueue_queueOfAnotherBackendFails_recordsStoredAndTheCallerTold() {
        JobQueue failing = new ForwardingQueue(new InMemoryJobQueue(clock)) { // another backend, down
            @Override
            public List<String> enqueueAll(String queue, List<String> payloads, Duration delay, List<String> groups) {
                throw new IllegalStateException("queue down");
            }
        };
        TaskRecord task = newTask("alice", TaskKind.BUILD);

        assertThatThrownBy(() -> store.createAllAndEnqueue(List.of(task), failing, SETTLE_QUEUE))
                .isInstanceOf(StoredWithoutJobsException.class)
                .hasRootCauseMessage("queue down");
        assertThat(stored(task)).as("stored, so the caller can end it").isEqualTo(task);
    }

    // ---- lease and start

    @Test
    void leaseAndStart_startsEachLeasedTaskWaitingToRun_asStartWould() throws Exception {
        assumeTrue(startsTasksInItsLease(), "this store's leases start nothing");
        try (JobQueue queue = queueOfThisBackend()) {
            TaskRecord first = newTask("alice", TaskKind.BUILD);
            TaskRecord second = newTask("bob", TaskKind.ANALYSIS);
            store.createAllAndEnqueue(List.of(first, second), queue, SETTLE_QUEUE);
            Instant now = clock.instant();

            List<LeasedTask> leased = store.leaseAndStart(queue, List.of(SETTLE_QUEUE), 5, Duration.ofMinutes(5),
                    Duration.ZERO, clock);

            assertThat(leased).extracting(l -> l.lease().payload())
                    .containsExactly(first.id().value(), second.id().value());
            assertThat(leased).extracting(LeasedTask::started).containsExactly(first.start(now), second.start(now));
            assertThat(stored(first)).isEqualTo(first.start(now));
            assertThat(secondNode().find(second.id())).as("on every node").contains(second.start(now));
            TaskRecord started = leased.get(0).started();
            TaskRecord done = started.transitionTo(TaskStatus.COMPLETED, Map.of("tests", 3), null, clock.instant());
            assertThat(store.compareAndSetAndAck(started, done, queue, leased.get(0).lease()))
                    .as("the started record is the stored one").isTrue();
            assertThat(store.compareAndSet(first, first.start(now))).as("the start a worker would write: stale").isFalse();
        }
    }

    @Test
    void leaseAndStart_taskOfAnEarlierAttempt_startsAsStartWould_whateverItsTextHolds() throws Exception {
        assumeTrue(startsTasksInItsLease(), "this store's leases start nothing");
        try (JobQueue queue = queueOfThisBackend()) {
            // text that looks like a record's own fields, in every place a task holds text
            TaskRecord task = TaskRecord.create(TaskId.of("t-odd"), TaskKind.BUILD, "ålice",
                    "demo", "say \"status\":\"INITIALIZING\",\"attempt\":0 ✓",
                    Map.of("x", ",\"status\":\"INITIALIZING\",\"attempt\":1,\"version\":1,\"progress\":0"),
                    List.of("status"), 3, clock.instant());
            store.create(task);
            TaskRecord running = moveTo(task, TaskStatus.RUNNING);
            TaskRecord progressed = running.withProgress(40, "compile \"status\":\"RUNNING\"", clock.instant());
            assertThat(store.compareAndSet(running, progressed)).isTrue();
            clock.advance(Duration.ofSeconds(1));
            Map<String, Object> results = Map.of("status", "INITIALIZING", "nested",
                    Map.of("attempt", 7, "status", ",\"status\":\"INITIALIZING\",\"attempt\":2,"));
            TaskRecord retried = progressed.transitionTo(TaskStatus.INITIALIZING, results,
                    new TaskError(TaskError.INFRASTRUCTURE, "worker lost; \"retrying\" ✗"), clock.instant());
            assertThat(store.compareAndSet(progressed, retried)).isTrue();
            clock.advance(Duration.ofSeconds(1));
            queue.enqueue(SETTLE_QUEUE, task.id().value(), Duration.ZERO, task.owner());

            List<LeasedTask> leased = store.leaseAndStart(queue, List.of(SETTLE_QUEUE), 1, Duration.ofMinutes(5),
                    Duration.ZERO, clock);

            TaskRecord expected = retried.start(clock.instant());
            assertThat(leased).singleElement().extracting(LeasedTask::started).isEqualTo(expected);
            assertThat(stored(task)).isEqualTo(expected);
            assertThat(expected.attempt()).isEqualTo(2);
        }
    }

    @Test
    void leaseAndStart_taskNotWaitingToRun_isLeasedAndLeftAsItIs() throws Exception {
        try (JobQueue queue = queueOfThisBackend()) {
            TaskRecord running = moveTo(created("alice", TaskKind.BUILD), TaskStatus.RUNNING);
            TaskRecord cancelled = moveTo(created("alice", TaskKind.BUILD), TaskStatus.CANCELLED);
            TaskRecord unknown = newTask("alice", TaskKind.BUILD);
            for (String payload : List.of(running.id().value(), cancelled.id().value(), unknown.id().value(),
                    "not a task id")) {
                queue.enqueue(SETTLE_QUEUE, payload, Duration.ZERO, "alice");
            }

            List<LeasedTask> leased = store.leaseAndStart(queue, List.of(SETTLE_QUEUE), 4, Duration.ofMinutes(5),
                    Duration.ZERO, clock);

            assertThat(leased).hasSize(4).allSatisfy(l -> assertThat(l.started()).isNull());
            assertThat(stored(running)).isEqualTo(running);
            assertThat(stored(cancelled)).isEqualTo(cancelled);
            assertThat(store.find(unknown.id())).isEmpty();
        }
    }

    @Test
    void leaseAndStart_twoJobsOfOneTask_startItOnce() throws Exception {
        assumeTrue(startsTasksInItsLease(), "this store's leases start nothing");
        try (JobQueue queue = queueOfThisBackend()) {
            TaskRecord task = created("alice", TaskKind.BUILD);
            queue.enqueue(SETTLE_QUEUE, task.id().value(), Duration.ZERO, task.owner());
            queue.enqueue(SETTLE_QUEUE, task.id().value(), Duration.ZERO, task.owner());
            Instant now = clock.instant();

            List<LeasedTask> leased = store.leaseAndStart(queue, List.of(SETTLE_QUEUE), 2, Duration.ofMinutes(5),
                    Duration.ZERO, clock);

            assertThat(leased).hasSize(2);
            assertThat(leased.get(0).started()).isEqualTo(task.start(now));
            assertThat(leased.get(1).started()).as("already running").isNull();
            assertThat(stored(task)).isEqualTo(task.start(now));
        }
    }

    @Test
    void leaseAndStart_queueOfAnotherBackend_leasesAndStartsNothing() throws Exception {
        try (JobQueue queue = new ForwardingQueue(new InMemoryJobQueue(clock))) {
            TaskRecord task = created("alice", TaskKind.BUILD);
            queue.enqueue(SETTLE_QUEUE, task.id().value(), Duration.ZERO, task.owner());

            List<LeasedTask> leased = store.leaseAndStart(queue, List.of(SETTLE_QUEUE), 2, Duration.ofMinutes(5),
                    Duration.ZERO, clock);

            assertThat(leased).singleElement().satisfies(l -> {
                assertThat(l.lease().payload()).isEqualTo(task.id().value());
                assertThat(l.started()).isNull();
            });
            assertThat(stored(task)).isEqualTo(task);
        }
    }

    @Test
    void leaseAndStart_nothingVisible_returnsNone() throws Exception {
        try (JobQueue queue = queueOfThisBackend()) {
            assertThat(store.leaseAndStart(queue, List.of(SETTLE_QUEUE), 3, Duration.ofMinutes(5), Duration.ZERO,
                    clock)).isEmpty();
        }
    }

    @Test
    void find_afterItsLease_returnsTheRecordTheLeaseRead_once() throws Exception {
        assumeTrue(leasesCarryRecords(), "this store's leases do not carry records");
        try (JobQueue queue = queueOfThisBackend()) {
            TaskRecord task = created("alice", TaskKind.BUILD);
            leasedJobOf(queue, task);
            TaskRecord cancelled = task.transitionTo(TaskStatus.CANCELLED, null, null, clock.instant());
            assertThat(secondNode().compareAndSet(task, cancelled)).as("another node, after the lease").isTrue();

            assertThat(store.find(task.id())).as("what the lease read").contains(task);
            assertThat(store.compareAndSet(task, task.start(clock.instant()))).as("stale: refused").isFalse();
            assertThat(store.find(task.id())).as("read from the store").contains(cancelled);
        }
    }

    @Test
    void find_afterItsLease_andAWriteOnThisNode_readsTheWrite() throws Exception {
        try (JobQueue queue = queueOfThisBackend()) {
            TaskRecord task = created("alice", TaskKind.BUILD);
            leasedJobOf(queue, task);
            TaskRecord cancelled = task.transitionTo(TaskStatus.CANCELLED, null, null, clock.instant());

            assertThat(store.compareAndSet(task, cancelled)).isTrue();

            assertThat(store.find(task.id())).contains(cancelled);
        }
    }

    @Test
    void lease_ofAJobWhosePayloadIsNoTask_leasesIt() throws Exception {
        try (JobQueue queue = queueOfThisBackend()) {
            queue.enqueue(SETTLE_QUEUE, "no such task", Duration.ZERO, "alice");

            assertThat(queue.lease(SETTLE_QUEUE, Duration.ofMinutes(5), Duration.ZERO).orElseThrow().payload())
                    .isEqualTo("no such task");
        }
    }

    private static final String SETTLE_QUEUE = "settle";

    /** Enqueues a job for {@code task} and leases it. */
    private static Lease leasedJobOf(JobQueue queue, TaskRecord task) throws InterruptedException {
        queue.enqueue(SETTLE_QUEUE, task.id().value(), Duration.ZERO, task.owner());
        return queue.lease(SETTLE_QUEUE, Duration.ofMinutes(5), Duration.ZERO).orElseThrow();
    }

    @Test
    void compareAndSet_unknownTask_returnsFalse() {
        TaskRecord never = newTask("alice", TaskKind.BUILD);

        assertThat(store.compareAndSet(never, never.start(clock.instant()))).isFalse();
        assertThat(store.find(never.id())).isEmpty();
    }

    @Test
    void compareAndSet_staleVersionWithTheSameStatus_returnsFalse() {
        TaskRecord running = moveTo(created("alice", TaskKind.BUILD), TaskStatus.RUNNING);
        TaskRecord first = running.withProgress(10, "clone", clock.instant());
        assertThat(store.compareAndSet(running, first)).isTrue();

        TaskRecord second = running.withProgress(20, "build", clock.instant());

        assertThat(store.compareAndSet(running, second)).as("same status, older version").isFalse();
        assertThat(stored(running)).isEqualTo(first);
    }

    /**
     * The rules are core's: a store that re-checked them would refuse changes a later version of
     * the rules allows. Here the version matches, so the store must take a move the state machine
     * forbids, and keep its retention index right about it.
     */
    @Test
    void compareAndSet_doesNotJudgeTheChange_andKeepsRetentionRight() {
        TaskRecord done = moveTo(moveTo(created("alice", TaskKind.BUILD), TaskStatus.RUNNING),
                TaskStatus.COMPLETED);
        TaskRecord revived = rewrite(done, TaskStatus.RUNNING, done.version() + 1);

        assertThat(store.compareAndSet(done, revived)).isTrue();

        assertThat(stored(done)).isEqualTo(revived);
        clock.advance(Duration.ofDays(1));
        assertThat(store.deleteTerminalBefore(clock.instant())).as("no longer terminal").isZero();
        assertThat(store.find(done.id())).isPresent();
    }

    @Test
    void compareAndSet_racingWriters_exactlyOneWins() throws Exception {
        int writers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (int round = 0; round < 10; round++) {
                TaskRecord record = created("alice", TaskKind.BUILD);
                TaskStatus[] targets = {TaskStatus.RUNNING, TaskStatus.CANCELLED, TaskStatus.FAILED};
                CountDownLatch go = new CountDownLatch(1);
                List<Future<TaskRecord>> results = new ArrayList<>();
                for (int i = 0; i < writers; i++) {
                    TaskStatus target = targets[i % targets.length];
                    TaskRecord next = target == TaskStatus.RUNNING ? record.start(clock.instant())
                            : record.transitionTo(target, null, null, clock.instant());
                    results.add(pool.submit(() -> {
                        go.await();
                        return store.compareAndSet(record, next) ? next : null;
                    }));
                }
                go.countDown();
                List<TaskRecord> winners = new ArrayList<>();
                for (Future<TaskRecord> result : results) {
                    TaskRecord won = result.get(10, TimeUnit.SECONDS);
                    if (won != null) {
                        winners.add(won);
                    }
                }
                assertThat(winners).as("round %d", round).hasSize(1);
                assertThat(stored(record)).isEqualTo(winners.get(0));
                assertThat(stored(record).version()).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- listByOwner

    private static List<TaskId> ids(Page<TaskRecord> page) {
        return page.items().stream().map(TaskRecord::id).toList();
    }

    private List<TaskId> createMany(String owner, TaskKind kind, int count) {
        List<TaskId> newestFirst = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            newestFirst.add(0, created(owner, kind).id());
        }
        return newestFirst;
    }

    @Test
    void listByOwner_returnsNewestFirstWithTotal() {
        List<TaskId> expected = createMany("alice", TaskKind.BUILD, 5);

        Page<TaskRecord> page = store.listByOwner("alice", TaskKind.BUILD, 10, 0);

        assertThat(ids(page)).containsExactlyElementsOf(expected);
        assertThat(page.total()).isEqualTo(5);
        assertThat(page.limit()).isEqualTo(10);
        assertThat(page.offset()).isZero();
    }

    @Test
    void listByOwner_sameCreationTime_ordersByIdDescending() {
        Instant now = clock.instant();
        for (String id : List.of("b", "c", "a")) {
            store.create(TaskRecord.create(TaskId.of(id), TaskKind.BUILD, "alice", "demo", "",
                    Map.of(), List.of(), 1, now));
        }
        TaskRecord older = TaskRecord.create(TaskId.of("z"), TaskKind.BUILD, "alice", "demo", "",
                Map.of(), List.of(), 1, now.minusSeconds(1));
        store.create(older);

        assertThat(ids(store.listByOwner("alice", TaskKind.BUILD, 10, 0)))
                .containsExactly(TaskId.of("c"), TaskId.of("b"), TaskId.of("a"), TaskId.of("z"));
    }

    @Test
    void listByOwner_pagesCoverTheListInOrder() {
        List<TaskId> expected = createMany("alice", TaskKind.BUILD, 7);

        assertThat(ids(store.listByOwner("alice", TaskKind.BUILD, 3, 0))).isEqualTo(expected.subList(0, 3));
        assertThat(ids(store.listByOwner("alice", TaskKind.BUILD, 3, 3))).isEqualTo(expected.subList(3, 6));
        assertThat(ids(store.listByOwner("alice", TaskKind.BUILD, 3, 6))).isEqualTo(expected.subList(6, 7));
    }

    @Test
    void listByOwner_limitLargerThanRest_returnsTheRest() {
        List<TaskId> expected = createMany("alice", TaskKind.BUILD, 5);

        Page<TaskRecord> page = store.listByOwner("alice", TaskKind.BUILD, 100, 3);

        assertThat(ids(page)).isEqualTo(expected.subList(3, 5));
        assertThat(page.total()).isEqualTo(5);
    }

    @Test
    void listByOwner_offsetAtOrPastTotal_isEmptyWithTotal() {
        createMany("alice", TaskKind.BUILD, 4);

        Page<TaskRecord> atEnd = store.listByOwner("alice", TaskKind.BUILD, 10, 4);
        Page<TaskRecord> past = store.listByOwner("alice", TaskKind.BUILD, 10, 50);

        assertThat(atEnd.items()).isEmpty();
        assertThat(atEnd.total()).isEqualTo(4);
        assertThat(past.items()).isEmpty();
        assertThat(past.total()).isEqualTo(4);
        assertThat(past.offset()).isEqualTo(50);
    }

    @Test
    void listByOwner_ownerWithoutTasks_isEmptyWithZeroTotal() {
        createMany("alice", TaskKind.BUILD, 2);

        Page<TaskRecord> page = store.listByOwner("nobody", TaskKind.BUILD, 20, 0);

        assertThat(page.items()).isEmpty();
        assertThat(page.total()).isZero();
    }

    @Test
    void listByOwner_separatesOwnersAndKinds() {
        List<TaskId> aliceBuilds = createMany("alice", TaskKind.BUILD, 3);
        List<TaskId> bobBuilds = createMany("bob", TaskKind.BUILD, 2);
        List<TaskId> aliceAnalyses = createMany("alice", TaskKind.ANALYSIS, 4);

        assertThat(ids(store.listByOwner("alice", TaskKind.BUILD, 100, 0))).isEqualTo(aliceBuilds);
        assertThat(ids(store.listByOwner("bob", TaskKind.BUILD, 100, 0))).isEqualTo(bobBuilds);
        assertThat(ids(store.listByOwner("alice", TaskKind.ANALYSIS, 100, 0))).isEqualTo(aliceAnalyses);
        assertThat(store.listByOwner("bob", TaskKind.ANALYSIS, 100, 0).total()).isZero();
    }

    @Test
    void listByOwner_showsTheLatestVersionOfEachTask() {
        TaskRecord record = created("alice", TaskKind.BUILD);
        TaskRecord running = moveTo(record, TaskStatus.RUNNING);

        assertThat(store.listByOwner("alice", TaskKind.BUILD, 10, 0).items()).containsExactly(running);
    }

    // ---- listAll

    @Test
    void listAll_isEveryOwnersTasksOfOneKindNewestFirst() {
        TaskRecord a1 = created("alice", TaskKind.BUILD);
        TaskRecord b1 = created("bob", TaskKind.BUILD);
        created("carol", TaskKind.ANALYSIS);
        TaskRecord a2 = created("alice", TaskKind.BUILD);
        TaskRecord c1 = moveTo(created("carol", TaskKind.BUILD), TaskStatus.RUNNING);

        Page<TaskRecord> page = store.listAll(TaskKind.BUILD, 10, 0);

        assertThat(page.items()).containsExactly(c1, a2, b1, a1);
        assertThat(page.total()).isEqualTo(4);
        assertThat(store.listAll(TaskKind.ANALYSIS, 10, 0).total()).isEqualTo(1);
    }

    @Test
    void listAll_pagesCoverTheListInOrder_andDeletedTasksLeaveIt() {
        List<TaskId> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            expected.add(0, created(i % 2 == 0 ? "alice" : "bob", TaskKind.BUILD).id());
        }

        assertThat(ids(store.listAll(TaskKind.BUILD, 3, 0))).isEqualTo(expected.subList(0, 3));
        assertThat(ids(store.listAll(TaskKind.BUILD, 3, 3))).isEqualTo(expected.subList(3, 6));
        assertThat(ids(store.listAll(TaskKind.BUILD, 3, 6))).isEqualTo(expected.subList(6, 7));
        assertThat(store.listAll(TaskKind.BUILD, 3, 9).items()).isEmpty();
        assertThat(store.listAll(TaskKind.BUILD, 3, 9).total()).isEqualTo(7);

        TaskRecord oldest = stored(TaskRecord.create(expected.get(6), TaskKind.BUILD, "alice", "demo", "",
                Map.of(), List.of(), 1, clock.instant()));
        moveTo(oldest, TaskStatus.CANCELLED);
        clock.advance(Duration.ofDays(1));
        assertThat(store.deleteTerminalBefore(clock.instant())).isEqualTo(1);
        assertThat(ids(store.listAll(TaskKind.BUILD, 10, 0))).isEqualTo(expected.subList(0, 6));
    }

    // ---- retention

    @Test
    void deleteTerminalBefore_removesOnlyTerminalTasksCompletedBeforeCutoff() {
        TaskRecord oldRunning = moveTo(created("alice", TaskKind.BUILD), TaskStatus.RUNNING);
        TaskRecord oldInitializing = created("alice", TaskKind.BUILD);
        TaskRecord completed = moveTo(moveTo(created("alice", TaskKind.BUILD), TaskStatus.RUNNING),
                TaskStatus.COMPLETED);
        TaskRecord cancelled = moveTo(created("bob", TaskKind.ANALYSIS), TaskStatus.CANCELLED);
        TaskRecord failedAtCutoff = moveTo(created("alice", TaskKind.BUILD), TaskStatus.FAILED);
        Instant cutoff = failedAtCutoff.completedAt();
        clock.advance(Duration.ofHours(1));
        TaskRecord failedLater = moveTo(created("alice", TaskKind.BUILD), TaskStatus.FAILED);
        appendLog(completed.id(), "compiling");

        int deleted = store.deleteTerminalBefore(cutoff);

        assertThat(deleted).isEqualTo(2);
        assertThat(store.find(completed.id())).isEmpty();
        assertThat(store.find(cancelled.id())).isEmpty();
        assertThat(store.readLog(completed.id())).isEmpty();
        assertThat(store.find(failedAtCutoff.id())).as("completed exactly at the cutoff").isPresent();
        assertThat(store.find(failedLater.id())).isPresent();
        assertThat(store.find(oldRunning.id())).as("older, but running").contains(oldRunning);
        assertThat(store.find(oldInitializing.id())).as("older, but waiting").isPresent();
        assertThat(ids(store.listByOwner("alice", TaskKind.BUILD, 100, 0))).containsExactly(
                failedLater.id(), failedAtCutoff.id(), oldInitializing.id(), oldRunning.id());
        assertThat(store.listByOwner("bob", TaskKind.ANALYSIS, 100, 0).total()).isZero();
        assertThat(store.deleteTerminalBefore(cutoff)).isZero();
    }

    @Test
    void deleteTerminalBefore_thenSameIdCanBeCreatedAgain() {
        TaskRecord cancelled = moveTo(created("alice", TaskKind.BUILD), TaskStatus.CANCELLED);
        clock.advance(Duration.ofDays(31));

        assertThat(store.deleteTerminalBefore(clock.instant())).isEqualTo(1);
        TaskRecord again = TaskRecord.create(cancelled.id(), TaskKind.BUILD, "alice", "demo", "",
                Map.of(), List.of(), 1, clock.instant());
        store.create(again);

        assertThat(store.find(cancelled.id())).contains(again);
        assertThat(store.listByOwner("alice", TaskKind.BUILD, 10, 0).items()).containsExactly(again);
    }

    // ---- logs

    @Test
    void appendLog_thenReadLog_returnsLinesInOrder() {
        TaskRecord record = created("alice", TaskKind.BUILD);

        appendLog(record.id(), "cloning");
        appendLog(record.id(), "building: ünïcödé ✓");
        appendLog(record.id(), "");
        appendLog(record.id(), "done");

        assertThat(store.readLog(record.id())).isEqualTo("cloning\nbuilding: ünïcödé ✓\n\ndone\n");
    }

    @Test
    void readLog_taskWithoutLines_isEmpty() {
        TaskRecord record = created("alice", TaskKind.BUILD);

        assertThat(store.readLog(record.id())).isEmpty();
        assertThat(store.readLog(TaskId.of("unknown"))).isEmpty();
    }

    @Test
    void appendLogs_returnsTheNumberOfTheLastLineGiven() {
        TaskRecord record = created("alice", TaskKind.BUILD);

        assertThat(store.appendLogs(record.id(), List.of("one", "two", "three"))).isEqualTo(3);
        assertThat(store.appendLogs(record.id(), List.of())).as("an empty batch").isEqualTo(3);
        assertThat(store.appendLogs(record.id(), List.of("four", "five"))).isEqualTo(5);
        assertThat(appendLog(record.id(), "six")).isEqualTo(6);

        assertThat(store.readLog(record.id())).isEqualTo("one\ntwo\nthree\nfour\nfive\nsix\n");
    }

    @Test
    void readLogAfter_numbersLinesFromOne() {
        TaskRecord record = created("alice", TaskKind.BUILD);
        store.appendLogs(record.id(), List.of("l1", "l2", "l3", "l4", "l5"));

        assertThat(store.readLogAfter(record.id(), 0)).isEqualTo(
                new LogSlice(1, List.of("l1", "l2", "l3", "l4", "l5"), 5, false));
        assertThat(store.readLogAfter(record.id(), 3)).isEqualTo(new LogSlice(4, List.of("l4", "l5"), 5, false));
        assertThat(store.readLogAfter(record.id(), 5)).isEqualTo(LogSlice.empty(5));
        assertThat(store.readLogAfter(record.id(), 99)).as("after more than was written").isEqualTo(LogSlice.empty(5));
        assertThat(store.readLogAfter(TaskId.of("unknown"), 0)).isEqualTo(LogSlice.empty(0));
        assertThatThrownBy(() -> store.readLogAfter(record.id(), -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void appendLogs_unknownTask_isIgnoredAndReturnsZero() {
        assertThat(store.appendLogs(TaskId.of("ghost"), List.of("boo", "hoo"))).isZero();
        TaskRecord ghost = TaskRecord.create(TaskId.of("ghost"), TaskKind.BUILD, "alice", "demo", "",
                Map.of(), List.of(), 1, clock.instant());
        store.create(ghost);

        assertThat(store.readLog(TaskId.of("ghost"))).isEmpty();
        assertThat(store.readLogAfter(TaskId.of("ghost"), 0)).isEqualTo(LogSlice.empty(0));
        assertThat(appendLog(ghost.id(), "first real line")).isEqualTo(1);
    }

    @Test
    void appendLog_logsAreKeptPerTask() {
        TaskRecord a = created("alice", TaskKind.BUILD);
        TaskRecord b = created("alice", TaskKind.BUILD);

        appendLog(a.id(), "for a");
        appendLog(b.id(), "for b");

        assertThat(store.readLog(a.id())).isEqualTo("for a\n");
        assertThat(store.readLog(b.id())).isEqualTo("for b\n");
    }

    @Test
    void readLog_pastTheCap_keepsHeadAndTailAndCountsTheCut() {
        TaskRecord record = created("alice", TaskKind.BUILD);
        int lines = 6_000;
        String filler = "x".repeat(1_000);
        long totalBytes = 0;
        List<String> batch = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            String line = String.format("%05d %s", i, filler);
            batch.add(line);
            totalBytes += line.length() + 1;
            if (batch.size() == 500) {
                assertThat(store.appendLogs(record.id(), batch)).isEqualTo(i + 1);
                batch.clear();
            }
        }

        String log = store.readLog(record.id());

        Matcher marker = CUT_MARKER.matcher(log);
        assertThat(marker.find()).as("cut marker in the log").isTrue();
        long cutLines = Long.parseLong(marker.group(1));
        long cutBytes = Long.parseLong(marker.group(2));
        String kept = log.substring(0, marker.start()) + log.substring(marker.end() + 1);
        List<String> keptLines = Arrays.asList(kept.split("\n"));
        assertThat(log).startsWith("00000 ").endsWith(String.format("%05d %s\n", lines - 1, filler));
        assertThat(keptLines.size() + cutLines).isEqualTo(lines);
        assertThat(kept.length() + cutBytes).isEqualTo(totalBytes);
        assertThat(kept.length()).isLessThanOrEqualTo(DEFAULT_LOG_CAP);
        assertThat(kept.length()).isGreaterThan(DEFAULT_LOG_CAP - 2 * (filler.length() + 7));
        // what was kept is the first and the last lines, with nothing missing in between
        int headLines = (int) log.substring(0, marker.start()).chars().filter(c -> c == '\n').count();
        for (int i = 0; i < keptLines.size(); i++) {
            int number = i < headLines ? i : (int) (i + cutLines);
            assertThat(keptLines.get(i)).startsWith(String.format("%05d ", number));
        }

        // Numbered reading: the head, then (asked again after it) the tail, flagged as cut.
        LogSlice head = store.readLogAfter(record.id(), 0);
        assertThat(head.firstLine()).isEqualTo(1);
        assertThat(head.lines()).hasSize(headLines);
        assertThat(head.truncated()).isFalse();
        assertThat(head.totalLines()).isEqualTo(lines);
        LogSlice tail = store.readLogAfter(record.id(), head.lastLine());
        assertThat(tail.truncated()).isTrue();
        assertThat(tail.firstLine()).isEqualTo(headLines + cutLines + 1);
        assertThat(tail.lastLine()).isEqualTo(lines);
        for (int i = 0; i < tail.lines().size(); i += 97) {
            // line n holds the zero-based number n - 1
            assertThat(tail.lines().get(i)).startsWith(String.format("%05d ", tail.firstLine() + i - 1));
        }
        LogSlice lastThree = store.readLogAfter(record.id(), lines - 3);
        assertThat(lastThree.firstLine()).isEqualTo(lines - 2);
        assertThat(lastThree.lines()).hasSize(3);
        assertThat(lastThree.truncated()).isFalse();
        assertThat(lastThree.lines().get(2)).startsWith(String.format("%05d ", lines - 1));
    }

    // ---- two nodes over one backend

    @Test
    void twoNodes_seeEachOthersTasksAndRefuseADuplicateId() {
        TaskStore other = secondNode();
        TaskRecord mine = created("alice", TaskKind.BUILD);

        assertThat(other.find(mine.id())).contains(mine);
        assertThat(other.listByOwner("alice", TaskKind.BUILD, 10, 0).items()).containsExactly(mine);
        assertThat(other.listAll(TaskKind.BUILD, 10, 0).items()).containsExactly(mine);
        assertThatThrownBy(() -> other.create(mine)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void twoNodes_compareAndSetRace_exactlyOneWinsEveryTime() throws Exception {
        TaskStore other = secondNode();
        for (int round = 0; round < 40; round++) {
            TaskRecord running = moveTo(created("alice", TaskKind.BUILD), TaskStatus.RUNNING);
            List<TaskRecord> winners = new CopyOnWriteArrayList<>();
            Concurrently.run(6, thread -> {
                TaskStore node = thread % 2 == 0 ? store : other;
                TaskRecord next = running.withProgress(thread + 1, "writer " + thread, clock.instant());
                if (node.compareAndSet(running, next)) {
                    winners.add(next);
                }
            });
            assertThat(winners).as("round %d", round).hasSize(1);
            assertThat(other.find(running.id())).contains(winners.get(0));
            assertThat(stored(running)).isEqualTo(winners.get(0));
        }
    }

    @Test
    void twoNodes_concurrentLogBatches_keepEachBatchTogetherAndNumberEveryLine() throws Exception {
        TaskStore other = secondNode();
        TaskRecord record = created("alice", TaskKind.BUILD);
        int batchSize = 4;
        Map<Long, List<String>> byLastLine = new ConcurrentHashMap<>();

        Concurrently.run(4, thread -> {
            TaskStore node = thread % 2 == 0 ? store : other;
            for (int b = 0; b < 25; b++) {
                List<String> batch = new ArrayList<>();
                for (int l = 0; l < batchSize; l++) {
                    batch.add("w" + thread + " b" + b + " l" + l);
                }
                assertThat(byLastLine.put(node.appendLogs(record.id(), batch), batch)).isNull();
            }
        });

        LogSlice all = other.readLogAfter(record.id(), 0);
        assertThat(all.totalLines()).isEqualTo(4 * 25 * batchSize);
        assertThat(byLastLine.keySet()).allMatch(last -> last % batchSize == 0);
        byLastLine.forEach((last, batch) -> assertThat(
                all.lines().subList((int) (last - batchSize), last.intValue())).isEqualTo(batch));
    }

    @Test
    void twoNodes_retentionOnOneDeletesWhatTheOtherWrote() {
        TaskStore other = secondNode();
        TaskRecord done = moveTo(created("alice", TaskKind.BUILD), TaskStatus.CANCELLED);
        other.appendLogs(done.id(), List.of("written on the other node"));
        clock.advance(Duration.ofDays(1));

        assertThat(other.deleteTerminalBefore(clock.instant())).isEqualTo(1);

        assertThat(store.find(done.id())).isEmpty();
        assertThat(store.readLog(done.id())).isEmpty();
        assertThat(store.listAll(TaskKind.BUILD, 10, 0).total()).isZero();
    }

    // ---- results

    @Test
    void results_nestedJsonValues_roundTrip() {
        TaskRecord running = moveTo(created("alice", TaskKind.ANALYSIS), TaskStatus.RUNNING);
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("name", "Main.java");
        nested.put("line", 42);
        nested.put("big", 5_000_000_000L);
        nested.put("ratio", 0.875);
        nested.put("fixed", false);
        nested.put("note", null);
        List<Object> list = new ArrayList<>(List.of("a", 1, true));
        list.add(null);
        list.add(Map.of("deep", List.of("x", "y")));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("quality_score", 87.5);
        results.put("findings", List.of(nested));
        results.put("mixed", list);
        results.put("empty_map", Map.of());
        results.put("empty_list", List.of());
        results.put("passed", true);
        results.put("text", "naïve ✓ \"quoted\"\nnext");
        TaskRecord done = running.transitionTo(TaskStatus.COMPLETED, results, null, clock.instant());

        assertThat(store.compareAndSet(running, done)).isTrue();

        TaskRecord back = stored(running);
        assertThat(back.results()).isEqualTo(results);
        assertThat(back).isEqualTo(done);
    }

    /**
     * Every value {@code JsonTree} accepts comes back as JSON gives it back, on this node and
     * the other: the canonical types, so the results are equal whichever store holds them.
     */
    @Test
    void results_everyAcceptedTypeRoundTripsAsItsCanonicalForm() {
        TaskStore other = secondNode();
        TaskRecord running = moveTo(created("alice", TaskKind.ANALYSIS), TaskStatus.RUNNING);
        Map<String, Object> given = new LinkedHashMap<>();
        Map<String, Object> canonical = new LinkedHashMap<>();
        both(given, canonical, "string", "text ✓", "text ✓");
        both(given, canonical, "true", true, true);
        both(given, canonical, "null", null, null);
        both(given, canonical, "byte", (byte) -7, -7);
        both(given, canonical, "short", (short) 300, 300);
        both(given, canonical, "int", 42, 42);
        both(given, canonical, "small_long", 42L, 42);
        both(given, canonical, "big_long", 5_000_000_000L, 5_000_000_000L);
        both(given, canonical, "min_long", Long.MIN_VALUE, Long.MIN_VALUE);
        both(given, canonical, "small_big_integer", java.math.BigInteger.valueOf(123), 123);
        both(given, canonical, "big_integer", java.math.BigInteger.ONE.shiftLeft(40), 1L << 40);
        both(given, canonical, "float", 0.1f, 0.1d);
        both(given, canonical, "double", 0.875, 0.875);
        both(given, canonical, "integral_double", 2.0, 2.0);
        both(given, canonical, "decimal", new java.math.BigDecimal("1.50"), 1.5d);
        both(given, canonical, "integral_decimal", new java.math.BigDecimal("1E+2"), 100);
        both(given, canonical, "list", List.of((short) 1, 2L, 0.5f), List.of(1, 2, 0.5d));
        both(given, canonical, "map", Map.of("deep", List.of(Map.of("n", (byte) 1))),
                Map.of("deep", List.of(Map.of("n", 1))));
        TaskRecord done = running.transitionTo(TaskStatus.COMPLETED, given, null, clock.instant());

        assertThat(store.compareAndSet(running, done)).isTrue();

        assertThat(stored(running).results()).isEqualTo(canonical);
        assertThat(other.find(running.id()).orElseThrow().results()).isEqualTo(canonical);
    }

    private static void both(Map<String, Object> given, Map<String, Object> canonical, String key,
            Object in, Object out) {
        given.put(key, in);
        canonical.put(key, out);
    }

    @Test
    void results_thatJsonCannotHoldExactly_areRefusedAndNothingChanges() {
        TaskRecord running = moveTo(created("alice", TaskKind.BUILD), TaskStatus.RUNNING);
        Map<String, Object> refused = new LinkedHashMap<>();
        refused.put("thread", Thread.currentThread());
        refused.put("nan", Double.NaN);
        refused.put("infinity", Float.POSITIVE_INFINITY);
        refused.put("huge", java.math.BigInteger.ONE.shiftLeft(64));
        refused.put("precise", new java.math.BigDecimal("0.1000000000000000000001"));
        refused.put("key", Map.of(1, "not a string key"));

        refused.forEach((name, value) -> {
            TaskRecord next = running.transitionTo(TaskStatus.COMPLETED, Map.of("nested", Map.of(name, value)),
                    null, clock.instant());
            assertThatThrownBy(() -> store.compareAndSet(running, next)).as(name)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("results.nested");
        });
        assertThat(stored(running)).isEqualTo(running);
    }

    @Test
    void results_changingTheCallersMapLater_doesNotChangeTheStoredRecord() {
        TaskRecord running = moveTo(created("alice", TaskKind.BUILD), TaskStatus.RUNNING);
        Map<String, Object> inner = new HashMap<>(Map.of("tests", 10));
        Map<String, Object> results = new HashMap<>(Map.of("summary", inner));
        TaskRecord done = running.transitionTo(TaskStatus.COMPLETED, results, null, clock.instant());
        assertThat(store.compareAndSet(running, done)).isTrue();

        inner.put("tests", 11);
        results.put("extra", "sneaky");

        assertThat(stored(running).results()).isEqualTo(Map.of("summary", Map.of("tests", 10)));
    }
}
