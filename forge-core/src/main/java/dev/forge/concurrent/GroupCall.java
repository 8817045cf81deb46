package dev.forge.concurrent;

import dev.forge.Internal;
import dev.forge.InfrastructureException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
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
    private final Condition finished = lock.newCondition();
    private List<Call<I, O>> waiting = new ArrayList<>();
    private boolean running;

    /** @param batch runs a batch of requests; answers one per request, in order */
    public GroupCall(Function<List<I>, List<O>> batch) {
        this.batch = Objects.requireNonNull(batch, "batch");
    }

    /** Runs {@code request}, alone or in a batch with other callers', and returns its answer. */
    public O call(I request) {
        Call<I, O> mine = new Call<>(request);
        List<Call<I, O>> calls;
        lock.lock();
        try {
            waiting.add(mine);
            while (running && !mine.answered) {
                finished.awaitUninterruptibly();
            }
            if (mine.answered) {
                return mine.answer();
            }
            running = true;
            calls = waiting;
            waiting = new ArrayList<>();
        } finally {
            lock.unlock();
        }
        List<I> requests = new ArrayList<>(calls.size());
        for (Call<I, O> call : calls) {
            requests.add(call.request);
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
        lock.lock();
        try {
            for (int i = 0; i < calls.size(); i++) {
                Call<I, O> call = calls.get(i);
                call.failure = failure;
                call.value = failure == null ? answers.get(i) : null;
                call.answered = true;
            }
            running = false;
            finished.signalAll();
        } finally {
            lock.unlock();
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

    /** One caller's request; its answer fields are written and read under the lock. */
    private static final class Call<I, O> {
        final I request;
        boolean answered;
        O value;
        RuntimeException failure;

        Call(I request) {
            this.request = request;
        }

        O answer() {
            if (failure != null) {
                throw ownCopy(failure);
            }
            return value;
        }
    }
}
