package dev.forge.exec;

import dev.forge.task.TaskRecord;

/** What a running attempt gets from the executor: its task, a stop signal and a sink. */
public interface TaskContext {

    /** The task as it was when this attempt started. */
    TaskRecord task();

    /** Signals a stop request. */
    CancellationToken cancellation();

    /** Reports progress (0-100) and the current step; cheap, may be called often. */
    void progress(int percent, String step);

    /** Appends a line to the task's log and publishes it live. */
    void log(String line);
}
