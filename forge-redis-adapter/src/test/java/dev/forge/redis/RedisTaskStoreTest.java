package dev.forge.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.queue.JobQueue;
import dev.forge.store.TaskStore;
import dev.forge.store.TaskStoreContract;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The task-store contract against Redis; every test on its own key prefix. */
class RedisTaskStoreTest extends TaskStoreContract {

    private RedisFixture redis;
    private RedisBackend backend;

    @Override
    protected TaskStore createStore() {
        redis = RedisFixture.open();
        backend = redis.node();
        return backend.taskStore();
    }

    /** The store's own backend's queue: compareAndSetAndAck runs as one script (task_cas_ack.lua). */
    @Override
    protected JobQueue queueOfThisBackend() {
        return backend.jobQueue();
    }

    @Override
    protected TaskStore sameBackendStore() {
        return redis.node().taskStore();
    }

    /**
     * A batch larger than one script call (250 records) and one pipeline (1,000): every record
     * stored and indexed whichever call it fell in, terminal ones in the terminal index too.
     */
    @Test
    void createAll_acrossScriptCallsAndPipelines_storesAndIndexesEach() {
        List<TaskRecord> batch = new ArrayList<>();
        for (int i = 0; i < 1_100; i++) {
            batch.add(newTask(i % 3 == 0 ? "alice" : "bob", i % 2 == 0 ? TaskKind.BUILD : TaskKind.ANALYSIS));
        }
        TaskRecord cancelled = rewrite(batch.get(600), TaskStatus.CANCELLED, 0);
        batch.set(600, cancelled);

        store.createAll(batch);

        for (TaskRecord record : batch) {
            assertThat(store.find(record.id())).contains(record);
        }
        assertThat(store.listByOwner("alice", TaskKind.BUILD, 1, 0).total()).isEqualTo(184);
        assertThat(store.listByOwner("bob", TaskKind.ANALYSIS, 1, 0).total()).isEqualTo(367);
        assertThat(store.listAll(TaskKind.BUILD, 2, 0).items()).containsExactly(batch.get(1_098), batch.get(1_096));
        clock.advance(Duration.ofDays(1));
        assertThat(store.deleteTerminalBefore(clock.instant())).isEqualTo(1);
        assertThat(store.find(cancelled.id())).isEmpty();
    }

    /** An id that exists, in the second script call of a batch: named in the error; the other calls' records stored. */
    @Test
    void createAll_anIdThatExistsInALaterScriptCall_namesItAndStoresTheOtherCalls() {
        TaskRecord first = created("alice", TaskKind.BUILD);
        List<TaskRecord> batch = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            batch.add(newTask("alice", TaskKind.BUILD));
        }
        TaskRecord twin = TaskRecord.create(first.id(), TaskKind.ANALYSIS, "bob", "other", "",
                Map.of(), List.of(), 2, clock.instant());
        batch.set(300, twin);

        assertThatThrownBy(() -> store.createAll(batch)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("task " + first.id() + " already exists");

        assertThat(store.find(first.id())).contains(first);
        assertThat(store.find(batch.get(0).id())).contains(batch.get(0));
        assertThat(store.find(batch.get(299).id())).contains(batch.get(299));
        assertThat(store.find(batch.get(599).id())).contains(batch.get(599));
        assertThat(store.listByOwner("bob", TaskKind.ANALYSIS, 10, 0).total()).isZero();
        assertThat(store.listByOwner("alice", TaskKind.BUILD, 1, 0).total()).isEqualTo(600);
    }

    @AfterEach
    void removeKeys() {
        if (redis != null) {
            redis.close();
        }
    }
}
