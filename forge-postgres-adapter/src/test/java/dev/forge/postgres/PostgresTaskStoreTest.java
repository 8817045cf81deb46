package dev.forge.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.store.TaskStore;
import dev.forge.store.TaskStoreContract;
import dev.forge.task.TaskKind;
import dev.forge.task.TaskRecord;
import dev.forge.task.TaskStatus;
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
