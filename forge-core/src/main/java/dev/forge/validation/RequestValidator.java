package dev.forge.validation;

import dev.forge.analysis.AnalysisRequest;
import dev.forge.build.BuildRequest;
import java.util.Optional;

/**
 * Validates incoming requests with Jakarta Validation and forge's own constraints. Thread-safe;
 * build one and share it.
 */
public final class RequestValidator {

    /** Creates a validator. */
    public RequestValidator() {
    }

    /** Empty when the request is valid, else why not. */
    public Optional<ValidationFailure> validate(BuildRequest request) {
        // PLACEHOLDER: replaced by the Jakarta Validation implementation (issue 2, item 7)
        return Optional.empty();
    }

    /** Empty when the request is valid, else why not. */
    public Optional<ValidationFailure> validate(AnalysisRequest request) {
        // PLACEHOLDER: replaced by the Jakarta Validation implementation (issue 2, item 7)
        return Optional.empty();
    }
}
