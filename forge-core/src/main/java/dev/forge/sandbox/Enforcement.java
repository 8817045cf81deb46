package dev.forge.sandbox;

/** What the build runner does when the sandbox cannot give what a build's policy asks for. */
public enum Enforcement {
    /**
     * Fail the build at once, naming what is missing and how to install it. For servers that
     * hold secrets (production).
     */
    STRICT,
    /**
     * Run the build with what the machine offers and say in its log what it lacks. For
     * development machines and the zero-config example server.
     */
    BEST_EFFORT,
    /** No sandbox at all: steps run as forge's own user. Only ever set explicitly. */
    OFF
}
