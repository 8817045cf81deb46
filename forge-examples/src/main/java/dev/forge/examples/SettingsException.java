package dev.forge.examples;

/** A setting is missing, malformed or out of range; the message is one line naming it. */
final class SettingsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    SettingsException(String message) {
        super(message);
    }
}
