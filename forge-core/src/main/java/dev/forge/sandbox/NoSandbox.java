package dev.forge.sandbox;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Steps run unconfined, as forge's own user. */
final class NoSandbox implements Sandbox {

    static final NoSandbox INSTANCE = new NoSandbox();

    private NoSandbox() {
    }

    @Override
    public Isolation isolation() {
        return Isolation.NONE;
    }

    @Override
    public String description() {
        return "none: build steps run as forge's own user and see what forge sees";
    }

    @Override
    public List<String> gaps(SandboxPolicy policy) {
        return List.of("no sandbox: " + SandboxProbe.INSTALL_HINT);
    }

    @Override
    public Session open(Path workspace, SandboxPolicy policy) {
        return new Session() {
            @Override
            public List<String> command(List<String> argv) {
                return List.copyOf(argv);
            }

            @Override
            public Optional<String> limitReached(int exitCode) {
                return Optional.empty();
            }

            @Override
            public void close() {
                // nothing was made
            }
        };
    }
}
