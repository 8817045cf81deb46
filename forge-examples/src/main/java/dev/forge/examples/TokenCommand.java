package dev.forge.examples;

import dev.forge.security.DevTokens;
import dev.forge.security.Role;
import java.io.PrintStream;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code token --user alice [--name "Alice"] [--role admin] [--ttl-hours 24]}: mints a
 * development JWT with the server's secret ({@code FORGE_JWT_SECRET} or {@code --jwt-secret}).
 * {@code --help} (or {@code -h}) prints the usage; an error names the option as the user typed
 * it, so {@code --ttl-hours=0} is answered about {@code --ttl-hours}, not about a setting name.
 */
final class TokenCommand {

    static final String USAGE = "usage: token --user <id> [--name <display name>] [--role user|admin]... "
            + "[--ttl-hours 1-720] [--jwt-secret <secret>]";

    private TokenCommand() {
    }

    /** Prints the token; returns the exit code. */
    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        String user = null;
        String name = null;
        Set<Role> roles = EnumSet.noneOf(Role.class);
        long ttlHours = 24;
        String secret = env.get("FORGE_JWT_SECRET");
        String secretSource = "FORGE_JWT_SECRET";
        if (args.contains("--help") || args.contains("-h")) {
            out.println(USAGE);
            out.println("Mints a development token signed with the server's secret (FORGE_JWT_SECRET or --jwt-secret).");
            return 0;
        }
        try {
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                int eq = arg.indexOf('=');
                String flag = eq < 0 ? arg : arg.substring(0, eq);
                if (!flag.startsWith("--")) {
                    throw new SettingsException("unexpected argument '" + arg + "'; " + USAGE);
                }
                String value;
                if (eq >= 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                    value = args.get(++i);
                } else {
                    throw new SettingsException(flag + " needs a value; " + USAGE);
                }
                switch (flag) {
                    case "--user":
                        user = value;
                        break;
                    case "--name":
                        name = value;
                        break;
                    case "--role":
                        roles.add(Role.fromWire(value).orElseThrow(
                                () -> new SettingsException(flag + " must be user or admin, was '" + value + "'")));
                        break;
                    case "--ttl-hours":
                        ttlHours = parseHours(flag, value);
                        break;
                    case "--jwt-secret":
                        secret = value;
                        secretSource = flag;
                        break;
                    default:
                        throw new SettingsException("unknown option " + flag + "; " + USAGE);
                }
            }
            if (user == null || user.isBlank()) {
                throw new SettingsException("--user is required; " + USAGE);
            }
            if (secret == null || secret.isBlank()) {
                throw new SettingsException("FORGE_JWT_SECRET (or --jwt-secret) must be set to the server's secret");
            }
            if (roles.isEmpty()) {
                roles.add(Role.USER);
            }
            DevTokens tokens;
            try {
                tokens = DevTokens.hs256(secret);
            } catch (IllegalArgumentException e) {
                throw new SettingsException(secretSource + " must be at least 32 bytes");
            }
            out.println(tokens.mint(user, name, roles, Duration.ofHours(ttlHours)));
            return 0;
        } catch (SettingsException e) {
            err.println("forge: " + e.getMessage());
            return 2;
        }
    }

    private static long parseHours(String flag, String value) {
        try {
            long hours = Long.parseLong(value);
            if (hours >= 1 && hours <= 720) {
                return hours;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new SettingsException(flag + " must be a whole number from 1 to 720, was '" + value + "'");
    }
}
