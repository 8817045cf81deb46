package dev.forge.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forge.security.AuthResult;
import dev.forge.security.JwtAuthenticator;
import dev.forge.security.Principal;
import dev.forge.security.Role;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenCommandTest {

    private static final String SECRET = "example-server-test-secret-0123456789";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void token_mintsAJwtTheServerAccepts_withTheRequestedRoles() {
        int code = ExampleServer.run(new String[] {"token", "--user", "alice", "--role=admin", "--name", "Alice A."},
                Map.of("FORGE_JWT_SECRET", SECRET), print(out), print(err));

        assertThat(code).isZero();
        AuthResult result = JwtAuthenticator.builder().hs256Secret(SECRET).build()
                .authenticate(out.toString(StandardCharsets.UTF_8).trim());
        assertThat(result).isInstanceOf(AuthResult.Authenticated.class);
        Principal principal = ((AuthResult.Authenticated) result).principal();
        assertThat(principal.userId()).isEqualTo("alice");
        assertThat(principal.username()).isEqualTo("Alice A.");
        assertThat(principal.roles()).containsExactly(Role.ADMIN);
    }

    @Test
    void token_withoutRole_isAUserToken_andTheSecretMayBeAFlag() {
        int code = TokenCommand.run(List.of("--user=bob", "--jwt-secret=" + SECRET), Map.of(), print(out), print(err));

        assertThat(code).isZero();
        AuthResult result = JwtAuthenticator.builder().hs256Secret(SECRET).build()
                .authenticate(out.toString(StandardCharsets.UTF_8).trim());
        assertThat(((AuthResult.Authenticated) result).principal().roles()).containsExactly(Role.USER);
    }

    @Test
    void token_misuse_exits2WithAReason() {
        assertThat(TokenCommand.run(List.of("--role", "admin"), Map.of("FORGE_JWT_SECRET", SECRET), print(out), print(err)))
                .isEqualTo(2);
        assertThat(TokenCommand.run(List.of("--user", "a", "--role", "root"), Map.of("FORGE_JWT_SECRET", SECRET),
                print(out), print(err))).isEqualTo(2);
        assertThat(TokenCommand.run(List.of("--user", "a"), Map.of(), print(out), print(err))).isEqualTo(2);
        assertThat(TokenCommand.run(List.of("--user", "a", "--ttl-hours", "0"), Map.of("FORGE_JWT_SECRET", SECRET),
                print(out), print(err))).isEqualTo(2);
        assertThat(TokenCommand.run(List.of("--user", "a"), Map.of("FORGE_JWT_SECRET", "short"), print(out), print(err)))
                .isEqualTo(2);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--user is required").contains("--role")
                .contains("FORGE_JWT_SECRET").contains("--ttl-hours").contains("32 bytes");
    }

    private static PrintStream print(ByteArrayOutputStream buffer) {
        return new PrintStream(buffer, true, StandardCharsets.UTF_8);
    }
}
