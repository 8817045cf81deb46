package dev.forge.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.task.TaskId;
import dev.forge.task.TaskStatus;
import dev.forge.testing.Await;
import dev.forge.testing.Concurrently;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventBus} must do. An adapter's test extends this class and implements
 * {@link #createBus} (a bus with no subscribers on a clean backend) and {@link #sameBackendBus}
 * (another bus over the backend of the last {@code createBus}: a second node). Delivery may be
 * asynchronous, so tests wait for conditions with a deadline; a subscription receives what is
 * published after {@code subscribe} returned, on any node.
 */
public abstract class EventBusContract {

    /** How long a test waits for events that should arrive at once. */
    protected static final Duration PROMPTLY = Duration.ofSeconds(5);
    /** When the test events happened. */
    protected static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    /** The bus under test, first node. */
    protected EventBus bus;
    private final List<EventBus> nodes = new CopyOnWriteArrayList<>();

    /** A new bus with no subscribers, on a clean backend. */
    protected abstract EventBus createBus();

    /** Another bus over the backend of the last {@link #createBus}: a second node. */
    protected abstract EventBus sameBackendBus();

    @BeforeEach
    void setUpBus() {
        bus = createBus();
    }

    @AfterEach
    void closeBus() {
        nodes.forEach(EventBus::close);
        bus.close();
    }

    /** A second node over the same backend, closed after the test. */
    protected EventBus secondNode() {
        EventBus node = sameBackendBus();
        nodes.add(node);
        return node;
    }

    /** A listener that keeps what it receives. */
    public static final class Recorder implements Consumer<TaskEvent> {
        /** What arrived, in order. */
        public final List<TaskEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void accept(TaskEvent event) {
            events.add(event);
        }

        /** Waits until {@code count} events arrived. */
        public void awaitCount(int count) {
            Await.until(() -> events.size() >= count, PROMPTLY, count + " events (had " + events.size() + ")");
        }
    }

    /** A LOG event for {@code task} whose line is {@code text}. */
    protected static TaskEvent line(TaskId task, String text) {
        return TaskEvent.logs(task, List.of(text), 1, AT);
    }

    /** The line of a one-line LOG event. */
    protected static String text(TaskEvent event) {
        return event.lines().get(0);
    }

    /** A PROGRESS event. */
    protected static TaskEvent progress(TaskId task, int percent, String step) {
        return new TaskEvent(task, TaskEvent.Type.PROGRESS, 2, TaskStatus.RUNNING, percent, step,
                List.of(), 0, AT);
    }

    @Test
    void subscribeToTask_receivesOnlyThatTasksEventsInOrder() {
        TaskId mine = TaskId.of("mine");
        TaskId other = TaskId.of("other");
        Recorder recorder = new Recorder();
        bus.subscribe(mine, recorder);
        List<TaskEvent> expected = new ArrayList<>();

        for (int i = 0; i < 200; i++) {
            TaskEvent event = line(i % 3 == 0 ? other : mine, "line " + i);
            if (event.taskId().equals(mine)) {
                expected.add(event);
            }
            bus.publish(event);
        }

        recorder.awaitCount(expected.size());
        assertThat(recorder.events).containsExactlyElementsOf(expected);
    }

    @Test
    void subscribeToAll_receivesEveryTasksEventsInOrder() {
        Recorder recorder = new Recorder();
        bus.subscribe(recorder);
        List<TaskEvent> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            TaskId task = TaskId.of("t" + (i % 5));
            expected.add(i % 2 == 0 ? line(task, "line " + i)
                    : progress(task, i % 101, "step " + i));
        }

        expected.forEach(bus::publish);

        recorder.awaitCount(expected.size());
        assertThat(recorder.events).containsExactlyElementsOf(expected);
    }

    @Test
    void statusEvents_areDeliveredUnchanged() {
        TaskId task = TaskId.of("t1");
        Recorder recorder = new Recorder();
        bus.subscribe(task, recorder);
        TaskEvent running = new TaskEvent(task, TaskEvent.Type.STATUS, 1, TaskStatus.RUNNING, 0, "clone",
                List.of(), 0, AT);
        TaskEvent done = new TaskEvent(task, TaskEvent.Type.DONE, 7, TaskStatus.COMPLETED, 100, null,
                List.of(), 0, AT.plusSeconds(1));

        bus.publish(running);
        bus.publish(done);

        recorder.awaitCount(2);
        assertThat(recorder.events).containsExactly(running, done);
    }

    @Test
    void requestCancel_reachesCancelListenersButNoEventSubscriber() {
        TaskId task = TaskId.of("t1");
        Recorder events = new Recorder();
        bus.subscribe(events);
        bus.subscribe(task, events);
        List<TaskId> cancels = new CopyOnWriteArrayList<>();
        bus.onCancel(cancels::add);

        bus.requestCancel(task);
        bus.publish(line(task, "after the cancel"));

        events.awaitCount(2);
        Await.until(() -> cancels.size() == 1, PROMPTLY, "the cancel request");
        assertThat(cancels).containsExactly(task);
        assertThat(events.events).allMatch(e -> e.type() == TaskEvent.Type.LOG);
    }

    @Test
    void taskAndGlobalSubscribers_bothReceiveTheEvent() {
        TaskId task = TaskId.of("t1");
        Recorder forTask = new Recorder();
        Recorder forAll = new Recorder();
        bus.subscribe(task, forTask);
        bus.subscribe(forAll);

        TaskEvent event = line(task, "hello");
        bus.publish(event);

        forTask.awaitCount(1);
        forAll.awaitCount(1);
        assertThat(forTask.events).containsExactly(event);
        assertThat(forAll.events).containsExactly(event);
    }

    @Test
    void closedSubscription_receivesNothingMore() {
        TaskId task = TaskId.of("t1");
        Recorder leaving = new Recorder();
        Recorder staying = new Recorder();
        EventBus.Subscription subscription = bus.subscribe(task, leaving);
        bus.subscribe(task, staying);
        TaskEvent first = line(task, "first");
        bus.publish(first);
        leaving.awaitCount(1);

        subscription.close();
        subscription.close(); // idempotent
        for (int i = 0; i < 50; i++) {
            bus.publish(line(task, "after " + i));
        }

        staying.awaitCount(51);
        assertThat(leaving.events).containsExactly(first);
    }

    @Test
    void throwingListener_doesNotStopOthersOrItself() {
        TaskId task = TaskId.of("t1");
        AtomicInteger calls = new AtomicInteger();
        bus.subscribe(task, event -> {
            calls.incrementAndGet();
            throw new IllegalStateException("listener bug");
        });
        Recorder recorder = new Recorder();
        bus.subscribe(task, recorder);

        for (int i = 0; i < 3; i++) {
            bus.publish(line(task, "line " + i));
        }

        recorder.awaitCount(3);
        Await.until(() -> calls.get() == 3, PROMPTLY, "the throwing listener to get all 3");
        assertThat(recorder.events).extracting(EventBusContract::text).containsExactly("line 0", "line 1", "line 2");
    }

    @Test
    void blockedListener_doesNotBlockPublishersOrOtherListeners() throws Exception {
        TaskId task = TaskId.of("t1");
        CountDownLatch unblock = new CountDownLatch(1);
        Recorder slow = new Recorder();
        bus.subscribe(task, event -> {
            try {
                unblock.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            slow.accept(event);
        });
        Recorder fast = new Recorder();
        bus.subscribe(fast);
        int count = 500;
        ExecutorService publisher = Executors.newSingleThreadExecutor();

        try {
            // publish from another thread, so a bus that blocks fails this test instead of hanging it
            Future<?> published = publisher.submit(() -> {
                for (int i = 0; i < count; i++) {
                    bus.publish(line(task, "line " + i));
                }
            });
            published.get(2, TimeUnit.SECONDS);
            fast.awaitCount(count);
            assertThat(slow.events).as("still blocked").isEmpty();
        } finally {
            unblock.countDown();
            publisher.shutdownNow();
        }
        slow.awaitCount(count);
        assertThat(slow.events).extracting(EventBusContract::text).containsExactlyElementsOf(
                fast.events.stream().map(EventBusContract::text).toList());
    }

    @Test
    void concurrentPublishers_eachTasksEventsArriveInTheirOrder() throws Exception {
        int publishers = 4;
        int perPublisher = 250;
        Recorder recorder = new Recorder();
        bus.subscribe(recorder);
        Concurrently.run(publishers, p -> {
            TaskId task = TaskId.of("task" + p);
            for (int i = 0; i < perPublisher; i++) {
                bus.publish(line(task, Integer.toString(i)));
            }
        });

        recorder.awaitCount(publishers * perPublisher);
        for (int p = 0; p < publishers; p++) {
            TaskId task = TaskId.of("task" + p);
            List<Integer> sequence = recorder.events.stream().filter(e -> e.taskId().equals(task))
                    .map(e -> Integer.parseInt(text(e))).toList();
            assertThat(sequence).as("events of %s", task).isSorted().hasSize(perPublisher);
        }
    }

    // ---- two nodes over one backend

    @Test
    void twoNodes_eventsPublishedOnOneReachSubscribersOnTheOther_inOrderPerTask() throws Exception {
        EventBus other = secondNode();
        int tasks = 4;
        int perTask = 100;
        Recorder everything = new Recorder();
        other.subscribe(everything);
        Recorder taskZero = new Recorder();
        other.subscribe(TaskId.of("task0"), taskZero);

        Concurrently.run(tasks, t -> {
            // tasks 0 and 2 publish on the first node, 1 and 3 on the second
            EventBus node = t % 2 == 0 ? bus : other;
            TaskId task = TaskId.of("task" + t);
            for (int i = 0; i < perTask; i++) {
                node.publish(TaskEvent.logs(task, List.of(Integer.toString(i)), i + 1, AT));
            }
        });

        everything.awaitCount(tasks * perTask);
        taskZero.awaitCount(perTask);
        for (int t = 0; t < tasks; t++) {
            TaskId task = TaskId.of("task" + t);
            List<Long> lastLines = everything.events.stream().filter(e -> e.taskId().equals(task))
                    .map(TaskEvent::lastLine).toList();
            assertThat(lastLines).as("events of %s", task).isSorted().hasSize(perTask);
        }
        assertThat(taskZero.events).extracting(TaskEvent::lastLine).isSorted().hasSize(perTask)
                .allMatch(n -> n >= 1 && n <= perTask);
        assertThat(taskZero.events).allMatch(e -> e.taskId().equals(TaskId.of("task0")));
    }

    @Test
    void twoNodes_eventsKeepEveryField() {
        EventBus other = secondNode();
        Recorder recorder = new Recorder();
        other.subscribe(TaskId.of("t1"), recorder);
        TaskEvent status = new TaskEvent(TaskId.of("t1"), TaskEvent.Type.STATUS, 3, TaskStatus.RUNNING, 40,
                "compile ✓", List.of(), 0, AT);
        TaskEvent log = TaskEvent.logs(TaskId.of("t1"), List.of("naïve \"quoted\"", "", "tab\there"), 12,
                AT.plusMillis(1));
        TaskEvent done = new TaskEvent(TaskId.of("t1"), TaskEvent.Type.DONE, 4, TaskStatus.FAILED, 40, null,
                List.of(), 0, AT.plusMillis(2));

        bus.publish(status);
        bus.publish(log);
        bus.publish(done);

        recorder.awaitCount(3);
        assertThat(recorder.events).containsExactly(status, log, done);
    }

    @Test
    void twoNodes_aCancelRequestedOnOneIsHeardOnBoth() {
        EventBus other = secondNode();
        List<TaskId> heardHere = new CopyOnWriteArrayList<>();
        List<TaskId> heardThere = new CopyOnWriteArrayList<>();
        bus.onCancel(heardHere::add);
        other.onCancel(heardThere::add);

        bus.requestCancel(TaskId.of("t1"));
        other.requestCancel(TaskId.of("t2"));

        Await.until(() -> heardHere.size() == 2 && heardThere.size() == 2, PROMPTLY, "both cancels on both nodes");
        assertThat(heardThere).containsExactlyInAnyOrder(TaskId.of("t1"), TaskId.of("t2"));
        assertThat(heardHere).containsExactlyInAnyOrder(TaskId.of("t1"), TaskId.of("t2"));
    }

    @Test
    void twoNodes_closingOneLeavesTheOthersSubscriptionsWorking() {
        EventBus other = secondNode();
        Recorder here = new Recorder();
        bus.subscribe(TaskId.of("t1"), here);
        Recorder there = new Recorder();
        other.subscribe(TaskId.of("t1"), there);

        other.close();
        bus.publish(line(TaskId.of("t1"), "after the other node left"));

        here.awaitCount(1);
        assertThat(text(here.events.get(0))).isEqualTo("after the other node left");
        assertThat(there.events).isEmpty();
    }

    @Test
    void closedCancelSubscription_hearsNothingMore() {
        List<TaskId> heard = new CopyOnWriteArrayList<>();
        List<TaskId> staying = new CopyOnWriteArrayList<>();
        EventBus.Subscription subscription = bus.onCancel(heard::add);
        bus.onCancel(staying::add);

        subscription.close();
        bus.requestCancel(TaskId.of("t1"));

        Await.until(() -> staying.size() == 1, PROMPTLY, "the remaining listener to hear the cancel");
        assertThat(heard).isEmpty();
    }
}
