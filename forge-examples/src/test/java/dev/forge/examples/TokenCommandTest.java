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

    @Test
    void help_printsTheUsage_andExits0() {
        int code = ExampleServer.run(new String[] {"token", "--help"}, Map.of(), print(out), print(err));
        int shortCode = TokenCommand.run(List.of("--user", "a", "-h"), Map.of(), print(out), print(err));

        assertThat(code).isZero();
        assertThat(shortCode).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith(TokenCommand.USAGE).doesNotContain("needs a value");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void errors_nameTheOptionAsTyped() {
        assertThat(TokenCommand.run(List.of("--user", "a", "--jwt-secret=short"), Map.of(), print(out), print(err)))
                .isEqualTo(2);
        assertThat(TokenCommand.run(List.of("--user", "--role", "admin"), Map.of("FORGE_JWT_SECRET", SECRET),
                print(out), print(err))).isEqualTo(2);
        assertThat(TokenCommand.run(List.of("--user=a", "--ttl-hours=9999"), Map.of("FORGE_JWT_SECRET", SECRET),
                print(out), print(err))).isEqualTo(2);
        assertThat(TokenCommand.run(List.of("alice"), Map.of("FORGE_JWT_SECRET", SECRET), print(out), print(err)))
                .isEqualTo(2);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).satisfiesExactly(
                line -> assertThat(line).startsWith("forge: --jwt-secret must be at least 32 bytes"),
                line -> assertThat(line).startsWith("forge: --user needs a value"),
                line -> assertThat(line).startsWith("forge: --ttl-hours must be a whole number").contains("'9999'"),
                line -> assertThat(line).startsWith("forge: unexpected argument 'alice'"));
    }

    private static PrintStream print(ByteArrayOutputStream buffer) {
        return new PrintStream(buffer, true, StandardCharsets.UTF_8);
    }
}
