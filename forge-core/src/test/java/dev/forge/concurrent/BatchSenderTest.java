package dev.forge.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatchSenderTest {

    @Test
    void sendsEveryItemInOrder_andCloseSendsWhatIsQueued() {
        List<Integer> sent = Collections.synchronizedList(new ArrayList<>());
        BatchSender<Integer> sender = new BatchSender<>("test-sender", "numbers", 10_000, 7, sent::addAll);
        List<Integer> offered = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            sender.offer(i);
            offered.add(i);
        }
        sender.close(Duration.ofSeconds(30));
        assertEquals(offered, sent);
    }

    @Test
    void whileASendHangs_offersNeverBlock_andTheOldestAreDropped() throws Exception {
        CountDownLatch sending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
        BatchSender<Integer> sender = new BatchSender<>("test-sender", "numbers", 4, 100, batch -> {
            batches.add(List.copyOf(batch));
            sending.countDown();
            await(release);
        });
        sender.offer(0);
        assertTrue(sending.await(10, TimeUnit.SECONDS));
        for (int i = 1; i <= 10; i++) {
            sender.offer(i); // the queue holds 4: 1..6 are dropped as 7..10 come
        }
        release.countDown();
        sender.close(Duration.ofSeconds(30));
        assertEquals(List.of(List.of(0), List.of(7, 8, 9, 10)), batches);
    }

    @Test
    void aFailedSendDropsItsBatch_andTheNextOnesStillGo() {
        List<Integer> sent = Collections.synchronizedList(new ArrayList<>());
        BatchSender<Integer> sender = new BatchSender<>("test-sender", "numbers", 100, 1, batch -> {
            if (batch.contains(1)) {
                throw new IllegalStateException("backend down");
            }
            sent.addAll(batch);
        });
        for (int i = 0; i < 4; i++) {
            sender.offer(i);
        }
        sender.close(Duration.ofSeconds(30));
        assertEquals(List.of(0, 2, 3), sent);
    }

    @Test
    void afterABusyBatch_theNextWaitsForMoreUntilFull_whileAQuietOnesNextGoesAtOnce() throws Exception {
        Semaphore sends = new Semaphore(0);
        BlockingQueue<List<Integer>> batches = new LinkedBlockingQueue<>();
        BatchSender<Integer> sender = new BatchSender<>("test-sender", "numbers", 100, 6, Duration.ofMinutes(1),
                batch -> {
                    batches.add(List.copyOf(batch));
                    sends.acquireUninterruptibly();
                });
        try {
            sender.offer(0);
            assertEquals(List.of(0), batches.poll(30, TimeUnit.SECONDS));
            for (int i = 1; i <= 5; i++) {
                sender.offer(i); // queued while [0] is on its way
            }
            sends.release();
            // [0] was quiet: [1..5] goes as it is, without waiting a minute for a sixth
            assertEquals(List.of(1, 2, 3, 4, 5), batches.poll(30, TimeUnit.SECONDS));

            sender.offer(6);
            sends.release();
            // [1..5] was busy: the batch of 6 waits for more (a broken linger sends [6] alone)
            assertEquals(null, batches.poll(200, TimeUnit.MILLISECONDS));
            for (int i = 7; i <= 11; i++) {
                sender.offer(i);
            }
            assertEquals(List.of(6, 7, 8, 9, 10, 11), batches.poll(30, TimeUnit.SECONDS));
        } finally {
            sends.release(100);
            sender.close(Duration.ofSeconds(1));
        }
    }

    @Test
    void offersAfterCloseAreDropped() {
        List<Integer> sent = Collections.synchronizedList(new ArrayList<>());
        BatchSender<Integer> sender = new BatchSender<>("test-sender", "numbers", 100, 10, sent::addAll);
        sender.close(Duration.ofSeconds(30));
        sender.offer(1);
        assertEquals(List.of(), sent);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
