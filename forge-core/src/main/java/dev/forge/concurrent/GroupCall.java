package dev.forge.concurrent;

import dev.forge.Internal;
import dev.forge.InfrastructureException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Lets concurrent callers of one operation share a round trip (group commit). A caller that
 * arrives while no batch is running runs one for every request waiting, its own included; callers
 * that arrive meanwhile wait, and the first of them still unanswered when the batch ends runs the
 * next one. No thread of its own and no timer: a lone caller runs its request at once, alone, and
 * batches grow only as large as the callers that queued up during the previous round trip.
 *
 * <p>The batch function gets the requests in arrival order and returns one answer per request,
 * in the same order. When it throws, every caller of that batch throws: an
 * {@link InfrastructureException} or {@link IllegalArgumentException} of its own (so no two
 * threads throw one object), with the batch's exception as the cause.
 *
 * @param <I> a request
 * @param <O> its answer
 */
@Internal
public final class GroupCall<I, O> {

    private final Function<List<I>, List<O>> batch;
    private final ReentrantLock lock = new ReentrantLock();
    private List<Call<I, O>> waiting = new ArrayList<>();
    private boolean running;

    /** @param batch runs a batch of requests; answers one per request, in order */
    public GroupCall(Function<List<I>, List<O>> batch) {
        this.batch = Objects.requireNonNull(batch, "batch");
    }

    /** Runs {@code request}, alone or in a batch with other callers', and returns its answer. */
    public O call(I request) {
        Call<I, O> mine = new Call<>(request, Thread.currentThread());
        boolean lead;
        lock.lock();
        try {
            waiting.add(mine);
            lead = !running;
            running = true;
        } finally {
            lock.unlock();
        }
        if (!lead) {
            // Each waiter is woken on its own, when answered or handed the next batch: waking
            // them all at once (one condition) made every batch's end a chain of as many
            // wake-ups, each taking the lock in turn, before the next batch could start.
            mine.awaitTurn();
            if (mine.answered) {
                return mine.answer();
            }
        }
        List<Call<I, O>> calls;
        lock.lock();
        try {
            calls = waiting;
            waiting = new ArrayList<>();
        } finally {
            lock.unlock();
        }
        List<I> requests;
        if (calls.size() == 1) {
            requests = Collections.singletonList(calls.get(0).request); // a lone caller, the usual case
        } else {
            requests = new ArrayList<>(calls.size());
            for (Call<I, O> call : calls) {
                requests.add(call.request);
            }
        }
        List<O> answers = null;
        RuntimeException failure = null;
        try {
            answers = batch.apply(requests);
            if (answers.size() != calls.size()) {
                throw new IllegalStateException(answers.size() + " answers to " + calls.size() + " requests");
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        // the next batch first: the round trip is the shared resource, keep it busy
        Call<I, O> next = null;
        lock.lock();
        try {
            if (waiting.isEmpty()) {
                running = false;
            } else {
                next = waiting.get(0);
            }
        } finally {
            lock.unlock();
        }
        if (next != null) {
            next.lead();
        }
        for (int i = 0; i < calls.size(); i++) {
            calls.get(i).answer(failure == null ? answers.get(i) : null, failure);
        }
        return mine.answer();
    }

    /**
     * A failure shared by a batch's callers, as an exception of one caller's own (so no two
     * threads throw one object): an {@link IllegalArgumentException} stays one, anything else
     * becomes an {@link InfrastructureException}; the shared failure is the cause.
     */
    public static RuntimeException ownCopy(RuntimeException failure) {
        if (failure instanceof IllegalArgumentException) {
            return new IllegalArgumentException(failure.getMessage(), failure);
        }
        return new InfrastructureException(failure.getMessage(), failure);
    }

    /** Callers waiting for the next batch (for tests). */
    int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * One caller's request. Its answer (or its turn to run the next batch) is written by another
     * thread before the volatile flag that the caller, parked, waits for.
     */
    private static final class Call<I, O> {
        final I request;
        final Thread caller;
        volatile boolean answered;
        volatile boolean leads;
        O value;
        RuntimeException failure;

        Call(I request, Thread caller) {
            this.request = request;
            this.caller = caller;
        }

        void answer(O answer, RuntimeException error) {
            value = answer;
            failure = error;
            answered = true;
            if (caller != Thread.currentThread()) { // the leader answers itself too; no stray permit
                LockSupport.unpark(caller);
            }
        }

        void lead() {
            leads = true;
            LockSupport.unpark(caller);
        }

        /** Parks until answered or told to lead; not interruptible (the interrupt is kept). */
        void awaitTurn() {
            boolean interrupted = false;
            while (!answered && !leads) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                caller.interrupt();
            }
        }

        O answer() {
            if (failure != null) {
                throw ownCopy(failure);
            }
            return value;
        }
    }
}
