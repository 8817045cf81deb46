package dev.forge;

import java.util.List;

/** Closing several resources as one. */
final class Resources {

    private Resources() {
    }

    /**
     * Closes every resource in order, even when some throw; then rethrows the first failure with
     * the later ones suppressed. A checked exception is wrapped in an {@link InfrastructureException}.
     */
    static void closeAll(List<? extends AutoCloseable> resources) {
        RuntimeException first = null;
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                RuntimeException failure = e instanceof RuntimeException r ? r
                        : new InfrastructureException("could not close " + resource.getClass().getSimpleName(), e);
                if (first == null) {
                    first = failure;
                } else {
                    first.addSuppressed(failure);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
