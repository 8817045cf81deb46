package dev.forge.exec;

import dev.forge.Internal;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The executor's side of a {@link CancellationToken}: {@link #cancel} requests a stop, and every
 * registered callback hears each distinct reason once, in the order requested.
 */
@Internal
public final class CancellationSource implements CancellationToken {

    private static final Reason[] NO_REASONS = {};
    @SuppressWarnings("unchecked")
    private static final Consumer<Reason>[] NO_CALLBACKS = new Consumer[0];

    // Copy-on-write arrays replaced under this object's monitor, read without it. Most attempts
    // are never stopped and register no callback, so a new source allocates nothing beyond
    // itself: it is made for every attempt, and the two lists and the reference it used to
    // make were a tenth of a no-op job's allocations.
    /** The reasons requested so far, in the order requested. */
    private volatile Reason[] requested = NO_REASONS;
    private volatile Consumer<Reason>[] callbacks = NO_CALLBACKS;

    /** Creates a source with no stop requested. */
    public CancellationSource() {
    }

    /**
     * Requests a stop for {@code reason}; repeated reasons are ignored.
     *
     * @return true if this reason was new
     */
    public boolean cancel(Reason reason) {
        Objects.requireNonNull(reason, "reason");
        Consumer<Reason>[] listening;
        synchronized (this) {
            Reason[] before = requested;
            if (contains(before, reason)) {
                return false;
            }
            Reason[] after = Arrays.copyOf(before, before.length + 1);
            after[before.length] = reason;
            requested = after;
            listening = callbacks;
        }
        for (Consumer<Reason> callback : listening) {
            callback.accept(reason);
        }
        return true;
    }

    @Override
    public boolean isCancelled() {
        return requested.length > 0;
    }

    @Override
    public Optional<Reason> reason() {
        Reason[] now = requested;
        return now.length == 0 ? Optional.empty() : Optional.of(now[0]);
    }

    /** True when {@code reason} has been requested (not necessarily first). */
    public boolean wasRequested(Reason reason) {
        return contains(requested, reason);
    }

    @Override
    public void onCancel(Consumer<Reason> callback) {
        Objects.requireNonNull(callback, "callback");
        Reason[] already;
        synchronized (this) {
            Consumer<Reason>[] before = callbacks;
            Consumer<Reason>[] after = Arrays.copyOf(before, before.length + 1);
            after[before.length] = callback;
            callbacks = after;
            already = requested;
        }
        for (Reason reason : already) {
            callback.accept(reason);
        }
    }

    private static boolean contains(Reason[] reasons, Reason reason) {
        for (Reason r : reasons) {
            if (r == reason) {
                return true;
            }
        }
        return false;
    }
}
