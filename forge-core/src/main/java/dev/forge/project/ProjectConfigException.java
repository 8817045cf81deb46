package dev.forge.project;

import dev.forge.ForgeException;

/** A project's configuration (e.g. its {@code forge.json}) is invalid; the message names the field. */
public final class ProjectConfigException extends ForgeException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public ProjectConfigException(String message) {
        super(message);
    }

    /** Creates the exception with a cause. */
    public ProjectConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
