package dev.forge.http;

import dev.forge.ForgeException;

/**
 * Ends request handling with a problem response. Thrown by filters and handlers, turned into
 * the response by {@link ErrorMapper}; carries no stack trace because it is control flow, not
 * a fault.
 */
final class ProblemException extends ForgeException {

    private static final long serialVersionUID = 1L;

    private final transient Problem problem;

    ProblemException(Problem problem) {
        super(problem.title(), null);
        this.problem = problem;
    }

    Problem problem() {
        return problem;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
