package dev.forge.task;

import dev.forge.ForgeException;

/** A status change that {@link TaskTransitions} does not allow: a programming error. */
public final class IllegalTransitionException extends ForgeException {

    private static final long serialVersionUID = 1L;

    /** The status the task was in. */
    private final TaskStatus from;
    /** The status it was asked to move to. */
    private final TaskStatus to;

    /** Creates the exception for {@code from -> to}. */
    public IllegalTransitionException(TaskStatus from, TaskStatus to) {
        super("illegal task transition " + from.wireName() + " -> " + to.wireName());
        this.from = from;
        this.to = to;
    }

    /** The status the task had. */
    public TaskStatus from() {
        return from;
    }

    /** The status that was refused. */
    public TaskStatus to() {
        return to;
    }
}
