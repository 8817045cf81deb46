package dev.forge.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.forge.InfrastructureException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupCallTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void aLoneCallerRunsItsRequestAlone() {
        List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
        GroupCall<Integer, String> call = new GroupCall<>(requests -> {
            batches.add(List.copyOf(requests));
            return requests.stream().map(i -> "answer " + i).toList();
        });
        assertEquals("answer 1", call.call(1));
        assertEquals("answer 2", call.call(2));
        assertEquals(List.of(List.of(1), List.of(2)), batches);
    }

    @Test
    void callersArrivingDuringABatchShareTheNextOne_eachGetsItsOwnAnswer() throws Exception {
        HeldAtZero held = new HeldAtZero();
        GroupCall<Integer, Integer> call = held.call;
        List<List<Integer>> batches = held.batches;
        Future<Integer> first = held.startHeldBatch(threads);
        List<Future<Integer>> later = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            int request = i;
            later.add(threads.submit(() -> call.call(request)));
        }
        while (call.waiting() < 5) {
            Thread.onSpinWait(); // the five are queued behind the running batch
        }
        held.release.countDown();
        assertEquals(0, first.get());
        for (int i = 1; i <= 5; i++) {
            assertEquals(i * 10, later.get(i - 1).get());
        }
        assertEquals(2, batches.size(), "the five waiting callers went in one batch: " + batches);
        assertEquals(List.of(0), batches.get(0));
        assertEquals(5, batches.get(1).size());
    }

    @Test
    void aFailedBatchFailsEachCallerWithAnExceptionOfItsOwn() throws Exception {
        InfrastructureException down = new InfrastructureException("backend down");
        GroupCall<Integer, Integer> call = new GroupCall<>(requests -> {
            throw down;
        });
        InfrastructureException one = assertThrows(InfrastructureException.class, () -> call.call(1));
        InfrastructureException two = assertThrows(InfrastructureException.class, () -> call.call(2));
        assertNotSame(one, two);
        assertSame(down, one.getCause());
        assertEquals("backend down", one.getMessage());
        GroupCall<Integer, Integer> invalid = new GroupCall<>(requests -> {
            throw new IllegalArgumentException("bad request");
        });
        assertEquals("bad request", assertThrows(IllegalArgumentException.class, () -> invalid.call(1)).getMessage());
    }

    @Test
    void aBatchAnsweringTheWrongNumberOfRequestsFailsItsCallers() {
        GroupCall<Integer, Integer> call = new GroupCall<>(requests -> List.of());
        assertTrue(assertThrows(InfrastructureException.class, () -> call.call(1)).getMessage().contains("0 answers"));
    }

    @Test
    void manyThreadsEachGetTheirOwnAnswer() throws Exception {
        GroupCall<Integer, Integer> call = new GroupCall<>(requests -> requests.stream().map(i -> -i).toList());
        List<Future<Boolean>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int base = t * 10_000;
            results.add(threads.submit(() -> {
                for (int i = base; i < base + 2_000; i++) {
                    if (call.call(i) != -i) {
                        return false;
                    }
                }
                return true;
            }));
        }
        for (Future<Boolean> result : results) {
            assertTrue(result.get());
        }
    }

    @Test
    void aWaitingCallerThatIsInterruptedStillGetsItsAnswer_andKeepsTheInterrupt() throws Exception {
        HeldAtZero held = new HeldAtZero();
        GroupCall<Integer, Integer> call = held.call;
        Future<Integer> first = held.startHeldBatch(threads);
        AtomicReference<Thread> waiterThread = new AtomicReference<>();
        Future<String> waiter = threads.submit(() -> {
            waiterThread.set(Thread.currentThread());
            int answer = call.call(1);
            return answer + " " + Thread.currentThread().isInterrupted();
        });
        while (call.waiting() < 1) {
            Thread.onSpinWait();
        }
        waiterThread.get().interrupt();
        held.release.countDown();
        assertEquals(0, first.get());
        assertEquals("10 true", waiter.get());
    }

    @Test
    void theCallerQueuedFirstRunsTheNextBatchForEveryoneWaiting() throws Exception {
        HeldAtZero held = new HeldAtZero();
        GroupCall<Integer, Integer> call = held.call;
        List<Thread> runners = held.runners;
        Future<Integer> first = held.startHeldBatch(threads);
        List<Thread> callers = Collections.synchronizedList(new ArrayList<>());
        List<Future<Integer>> later = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            int request = i;
            later.add(threads.submit(() -> {
                callers.add(Thread.currentThread());
                return call.call(request);
            }));
            while (call.waiting() < i) {
                Thread.onSpinWait(); // queue them in a known order
            }
        }
        held.release.countDown();
        assertEquals(0, first.get());
        for (int i = 1; i <= 3; i++) {
            assertEquals(i * 10, later.get(i - 1).get());
        }
        assertEquals(2, runners.size());
        assertSame(callers.get(0), runners.get(1), "the first caller queued ran the second batch");
    }

    /**
     * A call answering each request times ten whose batch holding request 0 waits, once running,
     * until {@link #release} opens; it records each batch's requests and the thread that ran it.
     */
    private static final class HeldAtZero {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> runners = Collections.synchronizedList(new ArrayList<>());
        final GroupCall<Integer, Integer> call = new GroupCall<>(requests -> {
            batches.add(List.copyOf(requests));
            runners.add(Thread.currentThread());
            if (requests.contains(0)) {
                started.countDown();
                await(release);
            }
            return requests.stream().map(i -> i * 10).toList();
        });

        /** Calls with request 0 on one of {@code threads}; returns once its batch is running. */
        Future<Integer> startHeldBatch(ExecutorService threads) throws InterruptedException {
            Future<Integer> first = threads.submit(() -> call.call(0));
            started.await();
            return first;
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
