package dev.forge.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.task.Page;
import dev.forge.task.TaskError;
import dev.forge.task.TaskId;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * {@link #createStore}; the store must be empty and use its default log cap (5 MiB).
 */
public abstract class TaskStoreContract {

    /** The default per-task log cap every store uses unless configured otherwise. */
    protected static final int DEFAULT_LOG_CAP = 5 * 1024 * 1024;

    private static final Pattern CUT_MARKER =
            Pattern.compile("^\\.\\.\\. \\[(\\d+) lines, (\\d+) bytes cut] \\.\\.\\.$", Pattern.MULTILINE);

    /** The clock handed to the store; tests stamp records with it. */
    protected MutableClock clock;
    /** The store under test. */
    protected TaskStore store;
    private int nextId;

    /** A new, empty store. */
    protected abstract TaskStore createStore(MutableClock clock);

    @BeforeEach
    void setUpStore() {
        clock = MutableClock.startingAt2026();
        store = createStore(clock);
    }

    @AfterEach
    void closeStore() {
        store.close();
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
    void compareAndSet_unknownTask_returnsFalse() {
        TaskRecord never = newTask("alice", TaskKind.BUILD);

        assertThat(store.compareAndSet(never, never.start(clock.instant()))).isFalse();
        assertThat(store.find(never.id())).isEmpty();
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
    void appendLog_unknownTask_isIgnored() {
        appendLog(TaskId.of("ghost"), "boo");
        TaskRecord ghost = TaskRecord.create(TaskId.of("ghost"), TaskKind.BUILD, "alice", "demo", "",
                Map.of(), List.of(), 1, clock.instant());
        store.create(ghost);

        assertThat(store.readLog(TaskId.of("ghost"))).isEmpty();
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
        for (int i = 0; i < lines; i++) {
            String line = String.format("%05d %s", i, filler);
            appendLog(record.id(), line);
            totalBytes += line.length() + 1;
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
