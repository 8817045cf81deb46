package dev.forge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.store.TaskStore;
import dev.forge.store.TaskStoreContract;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The task store contract against PostgreSQL, in a schema of its own. */
class PostgresTaskStoreTest extends TaskStoreContract {

    @RegisterExtension
    static final OneDatabasePerClass DATABASE = new OneDatabasePerClass();

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

    @Override
    protected TaskStore createStore() {
        DATABASE.get().clean();
        return new PostgresTaskStore(DATABASE.get().sql(), DEFAULT_LOG_CAP);
    }

    @Override
    protected TaskStore sameBackendStore() {
        return new PostgresTaskStore(DATABASE.get().secondNode().sql(), DEFAULT_LOG_CAP);
    }
}
