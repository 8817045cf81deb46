package dev.forge.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Runs a body on several threads released at the same instant, for race tests. */
public final class Concurrently {

    /** The body one thread runs; {@code thread} is 0 to threads - 1. */
    @FunctionalInterface
    public interface Body {
        /** Runs on one thread. */
        void run(int thread) throws Exception;
    }

    private Concurrently() {
    }

    /**
     * Starts {@code threads} threads, releases them together, and waits up to 30 s for all.
     *
     * @throws Exception the first failure of any thread (wrapped in an ExecutionException)
     */
    public static void run(int threads, Body body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    go.await();
                    body.run(thread);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
