package dev.forge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.forge.events.InMemoryEventBus;
import dev.forge.lock.InMemoryClusterLock;
import dev.forge.queue.InMemoryJobQueue;
import dev.forge.ratelimit.InMemoryRateLimiter;
import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.store.InMemoryTaskStore;
import dev.forge.task.TaskId;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Forge closes what its builder made, all of it even when a close fails, and nothing else. */
class ForgeOwnershipTest {

    @Test
    void close_leavesPortsThatTheCallerPassedInOpen() throws Exception {
        InMemoryEventBus events = new InMemoryEventBus();
        InMemoryJobQueue queue = new InMemoryJobQueue();
        InMemoryTaskStore store = new InMemoryTaskStore();
        // Two nodes in one process share the caller's ports, as two Forge instances would
        // share one connection pool.
        Forge first = Forge.builder().eventBus(events).jobQueue(queue).taskStore(store)
                .rateLimiter(new InMemoryRateLimiter(RateLimitConfig.ofDefaults(), Clock.systemUTC()))
                .clusterLock(new InMemoryClusterLock()).build().start();
        Forge second = Forge.builder().eventBus(events).jobQueue(queue).taskStore(store).build().start();

        first.close();

        // A closed in-memory bus refuses subscribers and a closed queue refuses jobs.
        try (var subscription = events.subscribe(TaskId.of("t-1"), e -> { })) {
            assertThat(subscription).isNotNull();
        }
        assertThat(queue.enqueue("elsewhere", "t-1")).isNotBlank();
        assertThat(second.health().ready()).isTrue();
        second.close();
        assertThat(queue.lease("elsewhere", Duration.ofSeconds(1), Duration.ZERO)).isPresent();
    }

    @Test
    void close_closesTheDefaultsItMade() {
        Forge forge = Forge.builder().build().start();

        forge.close();

        assertThatThrownBy(() -> forge.events().subscribe(TaskId.of("t-1"), e -> { }))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> forge.queue().enqueue("build", "t-1")).isInstanceOf(RuntimeException.class);
        assertThat(forge.health().alive()).isFalse();
    }

    @Test
    void closeAll_closesEveryResourceWhenSomeThrow_andRethrowsTheFirstWithTheRestSuppressed() {
        List<String> closed = new ArrayList<>();
        RuntimeException firstFailure = new IllegalStateException("first");
        Exception secondFailure = new java.io.IOException("second");
        List<AutoCloseable> resources = List.of(
                () -> closed.add("a"),
                () -> {
                    closed.add("b");
                    throw firstFailure;
                },
                () -> {
                    closed.add("c");
                    throw secondFailure;
                },
                () -> closed.add("d"));

        assertThatThrownBy(() -> Resources.closeAll(resources)).isSameAs(firstFailure)
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                        .satisfies(s -> assertThat(s).hasCause(secondFailure)));
        assertThat(closed).containsExactly("a", "b", "c", "d");
    }
}
