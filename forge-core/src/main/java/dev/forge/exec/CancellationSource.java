package dev.forge.exec;

import dev.forge.Internal;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The executor's side of a {@link CancellationToken}: {@link #cancel} requests a stop, and every
 * registered callback hears each distinct reason once, in the order requested.
 */
@Internal
public final class CancellationSource implements CancellationToken {

    private final AtomicReference<Reason> first = new AtomicReference<>();
    private final List<Reason> requested = new CopyOnWriteArrayList<>();
    private final List<Consumer<Reason>> callbacks = new CopyOnWriteArrayList<>();

    /** Creates a source with no stop requested. */
    public CancellationSource() {
    }

    /**
     * Requests a stop for {@code reason}; repeated reasons are ignored.
     *
     * @return true if this reason was new
     */
    public boolean cancel(Reason reason) {
        synchronized (requested) {
            if (requested.contains(reason)) {
                return false;
            }
            requested.add(reason);
            first.compareAndSet(null, reason);
        }
        for (Consumer<Reason> callback : callbacks) {
            callback.accept(reason);
        }
        return true;
    }

    @Override
    public boolean isCancelled() {
        return first.get() != null;
    }

    @Override
    public Optional<Reason> reason() {
        return Optional.ofNullable(first.get());
    }

    /** True when {@code reason} has been requested (not necessarily first). */
    public boolean wasRequested(Reason reason) {
        return requested.contains(reason);
    }

    @Override
    public void onCancel(Consumer<Reason> callback) {
        List<Reason> already;
        synchronized (requested) {
            callbacks.add(callback);
            already = List.copyOf(requested);
        }
        for (Reason reason : already) {
            callback.accept(reason);
        }
    }
}
