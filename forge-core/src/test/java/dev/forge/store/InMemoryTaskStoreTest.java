package dev.forge.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import dev.forge.testing.Concurrently;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The in-memory store against the shared contract (two nodes: instances made by
 * {@link InMemoryTaskStore#sharing}), plus its eviction and configuration.
 */
class InMemoryTaskStoreTest extends TaskStoreContract {

    private InMemoryTaskStore last;

    @Override
    protected TaskStore createStore() {
        last = new InMemoryTaskStore();
        return last;
    }

    @Override
    protected TaskStore sameBackendStore() {
        return InMemoryTaskStore.sharing(last);
    }

    @Override
    protected boolean startsTasksInItsLease() {
        return true;
    }

    private static InMemoryTaskStore storeKeeping(int terminalTasks) {
        return InMemoryTaskStore.builder().maxTerminalTasks(terminalTasks).build();
    }

    private TaskRecord finish(TaskStore target, TaskRecord record, TaskStatus status) {
        TaskRecord next = record.transitionTo(status, null, null, clock.instant());
        assertThat(target.compareAndSet(record, next)).isTrue();
        return next;
    }

    @Test
    void defaults_are100kTerminalTasksAnd5MiBLogs() {
        InMemoryTaskStore defaults = new InMemoryTaskStore();

        assertThat(defaults.maxTerminalTasks()).isEqualTo(100_000);
        assertThat(defaults.maxLogBytes()).isEqualTo(5 * 1024 * 1024);
    }

    @Test
    void terminalTasksBeyondTheCap_evictsTheEarliestCompletedWithTheirLogs() {
        InMemoryTaskStore small = storeKeeping(3);
        List<TaskRecord> tasks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            TaskRecord record = newTask("alice", TaskKind.BUILD);
            small.create(record);
            small.appendLogs(record.id(), List.of("line of " + record.id()));
            tasks.add(record);
        }
        // finish in an order unlike creation: 2, 0, 4, 1, 3
        for (int i : new int[] {2, 0, 4, 1, 3}) {
            finish(small, tasks.get(i), TaskStatus.CANCELLED);
            clock.advance(Duration.ofSeconds(1));
        }

        assertThat(small.find(tasks.get(2).id())).isEmpty();
        assertThat(small.find(tasks.get(0).id())).isEmpty();
        assertThat(small.readLog(tasks.get(2).id())).isEmpty();
        assertThat(small.find(tasks.get(4).id())).isPresent();
        assertThat(small.find(tasks.get(1).id())).isPresent();
        assertThat(small.find(tasks.get(3).id())).isPresent();
        assertThat(small.readLog(tasks.get(4).id())).isEqualTo("line of " + tasks.get(4).id() + "\n");
        assertThat(small.listByOwner("alice", TaskKind.BUILD, 10, 0).items())
                .extracting(TaskRecord::id)
                .containsExactly(tasks.get(4).id(), tasks.get(3).id(), tasks.get(1).id());
        assertThat(small.size()).isEqualTo(3);
    }

    @Test
    void activeTasks_areNeverEvicted() {
        InMemoryTaskStore small = storeKeeping(1);
        List<TaskRecord> active = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            TaskRecord record = newTask("alice", TaskKind.BUILD);
            small.create(record);
            active.add(record);
        }
        for (int i = 0; i < 3; i++) {
            TaskRecord done = newTask("alice", TaskKind.BUILD);
            small.create(done);
            finish(small, done, TaskStatus.FAILED);
        }

        assertThat(small.size()).isEqualTo(11);
        assertThat(active).allSatisfy(r -> assertThat(small.find(r.id())).contains(r));
    }

    @Test
    void terminalTaskCreatedDirectly_countsTowardsTheCap() {
        InMemoryTaskStore small = storeKeeping(1);
        TaskRecord first = newTask("alice", TaskKind.BUILD);
        small.create(first);
        finish(small, first, TaskStatus.CANCELLED);
        clock.advance(Duration.ofSeconds(1));
        TaskRecord imported = rewrite(newTask("alice", TaskKind.BUILD), TaskStatus.COMPLETED, 0);

        small.create(imported);

        assertThat(small.find(first.id())).isEmpty();
        assertThat(small.find(imported.id())).contains(imported);
    }

    @Test
    void concurrentCompletions_keepExactlyTheCap() throws Exception {
        int threads = 8;
        int perThread = 100;
        int cap = 50;
        InMemoryTaskStore small = storeKeeping(cap);
        List<List<TaskRecord>> batches = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<TaskRecord> batch = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                TaskRecord record = newTask("user" + t, TaskKind.BUILD);
                small.create(record);
                batch.add(record);
            }
            batches.add(batch);
        }
        Concurrently.run(threads, t -> {
            for (TaskRecord record : batches.get(t)) {
                small.compareAndSet(record, record.transitionTo(TaskStatus.CANCELLED, null,
                        null, record.createdAt()));
            }
        });

        assertThat(small.size()).isEqualTo(cap);
        long listed = 0;
        for (int t = 0; t < threads; t++) {
            listed += small.listByOwner("user" + t, TaskKind.BUILD, 100, 0).total();
        }
        assertThat(listed).isEqualTo(cap);
    }

    @Test
    void deleteTerminalBefore_afterEviction_countsOnlyWhatItDeleted() {
        InMemoryTaskStore small = storeKeeping(2);
        for (int i = 0; i < 4; i++) {
            TaskRecord record = newTask("alice", TaskKind.BUILD);
            small.create(record);
            finish(small, record, TaskStatus.CANCELLED);
        }

        assertThat(small.deleteTerminalBefore(clock.instant().plusSeconds(1))).isEqualTo(2);
        assertThat(small.size()).isZero();
    }

    @Test
    void configuredLogCap_boundsTheLog() {
        InMemoryTaskStore small = InMemoryTaskStore.builder().maxLogBytes(100).build();
        TaskRecord record = newTask("alice", TaskKind.BUILD);
        small.create(record);
        for (int i = 0; i < 50; i++) {
            small.appendLogs(record.id(), List.of("line " + i));
        }

        String log = small.readLog(record.id());

        assertThat(log).startsWith("line 0\n").endsWith("line 49\n").contains(" bytes cut] ...\n");
        assertThat(log.length()).isLessThan(100 + 40);
    }

    @Test
    void builder_badValues_failFastNamingThem() {
        assertThatThrownBy(() -> InMemoryTaskStore.builder().maxTerminalTasks(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxTerminalTasks").hasMessageContaining("0");
        assertThatThrownBy(() -> InMemoryTaskStore.builder().maxLogBytes(8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLogBytes").hasMessageContaining("8");
    }

    @Test
    void compareAndSet_changingOwner_isRefused() {
        TaskRecord record = newTask("alice", TaskKind.BUILD);
        store.create(record);
        TaskRecord stolen = new TaskRecord(record.id(), record.kind(), "mallory", record.projectName(),
                record.goal(), record.parameters(), record.analysisTypes(), TaskStatus.RUNNING, 0,
                null, 1, record.maxAttempts(), null, null, record.createdAt(), clock.instant(),
                clock.instant(), null, 1);

        assertThatThrownBy(() -> store.compareAndSet(record, stolen))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.find(record.id())).contains(record);
        assertThat(store.listByOwner("mallory", TaskKind.BUILD, 10, 0).total()).isZero();
    }

    @Test
    void ownersWhoseTasksAreAllDeleted_leaveNoIndexBehind() {
        InMemoryTaskStore memory = (InMemoryTaskStore) store;
        TaskRecord record = newTask("alice", TaskKind.BUILD);
        memory.create(record);
        finish(memory, record, TaskStatus.CANCELLED);
        assertThat(memory.ownerIndexCount()).isEqualTo(1);

        memory.deleteTerminalBefore(clock.instant().plusSeconds(1));
        assertThat(memory.ownerIndexCount()).isZero();

        TaskRecord again = newTask("alice", TaskKind.BUILD);
        memory.create(again);
        assertThat(memory.listByOwner("alice", TaskKind.BUILD, 10, 0).items()).containsExactly(again);
    }
}
