package dev.forge.queue;

import dev.forge.task.TaskKind;

/** The queue names forge uses: one per kind of work, so builds never starve analyses. */
public final class Queues {

    /** Build tasks. */
    public static final String BUILD = "build";
    /** Analysis tasks. */
    public static final String ANALYSIS = "analysis";

    private Queues() {
    }

    /** The queue for a task kind. */
    public static String forKind(TaskKind kind) {
        return kind == TaskKind.BUILD ? BUILD : ANALYSIS;
    }
}
