package dev.forge.examples;

import dev.forge.exec.AdmissionConfig;
import dev.forge.http.HttpConfig;
import dev.forge.sandbox.SandboxPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The example server's settings, from environment variables and {@code --flags} (a flag wins
 * over its variable). Every variable {@code FORGE_X_Y} has the flag {@code --x-y}. Parsing fails
 * on the first bad value with one line naming it.
 *
 * @param host                 interface to bind ({@code FORGE_HOST}, default 127.0.0.1)
 * @param port                 TCP port, 0 for any ({@code FORGE_PORT}, default 8080)
 * @param jwtSecret            HS256 secret of at least 32 bytes, or null to generate one
 * @param projectsDir          folder of projects, or null for the bundled samples
 * @param workspaceDir         folder for build workspaces, or null for a temporary one
 * @param workers              worker threads (default: available processors)
 * @param buildsPerMinute      build creations per user per minute (default 10)
 * @param requestsPerMinute    authenticated requests per user per minute (default 60)
 * @param corsOrigins          origins allowed by CORS
 * @param trustedHosts         extra trusted host names
 * @param debug                show exceptions in 500 responses
 * @param redisUrl             Redis URL putting every port on Redis, or null for memory
 * @param role                 api, worker or all
 * @param queueVisibility      job lease length
 * @param logFormat            json or text
 * @param sandbox              auto, strict or off ({@code FORGE_SANDBOX})
 * @param sandboxPolicy        the default sandbox policy of builds ({@code FORGE_SANDBOX_*})
 * @param databaseUrl          PostgreSQL JDBC URL that puts every port on PostgreSQL, or null
 * @param admission            limits on queued tasks ({@code FORGE_MAX_ACTIVE_TASKS_PER_USER},
 *                             {@code FORGE_MAX_QUEUED_TASKS})
 */
record ServerSettings(String host, int port, String jwtSecret, Path projectsDir, Path workspaceDir,
        int workers, int buildsPerMinute, int requestsPerMinute, List<String> corsOrigins,
        List<String> trustedHosts, boolean debug, URI redisUrl, String role, Duration queueVisibility,
        String logFormat, String sandbox, SandboxPolicy sandboxPolicy, String databaseUrl,
        AdmissionConfig admission) {

    /** Each variable, in the order {@code --help} lists them. */
    static final Map<String, String> VARIABLES;

    static {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("FORGE_HOST", "interface to bind (default 127.0.0.1)");
        vars.put("FORGE_PORT", "TCP port, 0 for any free one (default 8080)");
        vars.put("FORGE_JWT_SECRET", "HS256 secret, >= 32 bytes (default: generated, tokens printed)");
        vars.put("FORGE_JWT_SECRET_FILE", "file holding the HS256 secret, read once (recommended over FORGE_JWT_SECRET)");
        vars.put("FORGE_PROJECTS_DIR", "folder with one sub-folder per project (default: bundled samples)");
        vars.put("FORGE_WORKSPACE_DIR", "folder for build workspaces (default: a temporary folder)");
        vars.put("FORGE_WORKERS", "worker threads, 1-256 (default: number of processors)");
        vars.put("FORGE_RATE_LIMIT_BUILDS_PER_MINUTE", "build creations per user per minute (default 10)");
        vars.put("FORGE_RATE_LIMIT_REQUESTS_PER_MINUTE", "requests per user per minute (default 60)");
        vars.put("FORGE_CORS_ORIGINS", "comma-separated origins allowed by CORS (default none)");
        vars.put("FORGE_TRUSTED_HOSTS", "comma-separated host names besides localhost (default none)");
        vars.put("FORGE_DEBUG", "true to show exceptions in 500 responses (default false)");
        vars.put("FORGE_REDIS_URL", "redis://[:password@]host:port/db: every port on Redis (default: in memory)");
        vars.put("FORGE_ROLE", "api, worker or all (default all; api and worker need Redis or PostgreSQL)");
        vars.put("FORGE_QUEUE_VISIBILITY_SECONDS", "job lease length, 1-86400 (default 60)");
        vars.put("FORGE_LOG_FORMAT", "json or text (default json)");
        vars.put("FORGE_SANDBOX", "auto, strict or off (default auto: strict once a secret is configured)");
        vars.put("FORGE_SANDBOX_NETWORK", "true to let builds reach the network (default false)");
        vars.put("FORGE_SANDBOX_MEMORY_MB", "memory of a build's processes, MiB, 0 = no limit (default 2048)");
        vars.put("FORGE_SANDBOX_PROCESSES", "processes and threads of a build, 0 = no limit (default 512)");
        vars.put("FORGE_SANDBOX_READABLE", "comma-separated folders builds may read, e.g. a Maven cache");
        vars.put("FORGE_DATABASE_URL", "jdbc:postgresql://host:port/db: tasks, queue, events and limits in"
                + " PostgreSQL (default: in memory; with FORGE_REDIS_URL, tasks and logs only)");
        vars.put("FORGE_MAX_ACTIVE_TASKS_PER_USER", "queued + running tasks per user, all kinds; more"
                + " answer 429 (default " + AdmissionConfig.DEFAULT_ACTIVE_TASKS_PER_USER + ")");
        vars.put("FORGE_MAX_QUEUED_TASKS", "tasks per queue (builds, analyses); more answer 503 (default "
                + AdmissionConfig.DEFAULT_QUEUED_TASKS_PER_QUEUE + ")");
        VARIABLES = Map.copyOf(vars);
    }

    static final List<String> ORDER = List.of("FORGE_HOST", "FORGE_PORT", "FORGE_JWT_SECRET",
            "FORGE_JWT_SECRET_FILE", "FORGE_PROJECTS_DIR", "FORGE_WORKSPACE_DIR", "FORGE_WORKERS", "FORGE_RATE_LIMIT_BUILDS_PER_MINUTE",
            "FORGE_RATE_LIMIT_REQUESTS_PER_MINUTE", "FORGE_CORS_ORIGINS", "FORGE_TRUSTED_HOSTS", "FORGE_DEBUG",
            "FORGE_REDIS_URL", "FORGE_ROLE", "FORGE_QUEUE_VISIBILITY_SECONDS", "FORGE_LOG_FORMAT",
            "FORGE_SANDBOX", "FORGE_SANDBOX_NETWORK", "FORGE_SANDBOX_MEMORY_MB", "FORGE_SANDBOX_PROCESSES",
            "FORGE_SANDBOX_READABLE", "FORGE_DATABASE_URL", "FORGE_MAX_ACTIVE_TASKS_PER_USER",
            "FORGE_MAX_QUEUED_TASKS");

    ServerSettings {
        corsOrigins = List.copyOf(corsOrigins);
        trustedHosts = List.copyOf(trustedHosts);
    }

    /**
     * Reads the settings.
     *
     * @param env  the environment (only {@code FORGE_*} entries are read)
     * @param args command-line flags, {@code --name=value}, {@code --name value} or {@code --flag}
     * @throws SettingsException naming the first bad or unknown setting
     */
    static ServerSettings parse(Map<String, String> env, List<String> args) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        for (String name : ORDER) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                values.put(name, value.trim());
                sources.put(name, name);
            }
        }
        flags(args, values, sources);
        Reader reader = new Reader(values, sources);
        String host = reader.get("FORGE_HOST", "127.0.0.1", ServerSettings::host);
        int port = reader.get("FORGE_PORT", 8080, v -> integer(v, 0, 65_535));
        String secret = reader.get("FORGE_JWT_SECRET", null, ServerSettings::secret);
        String secretFromFile = reader.get("FORGE_JWT_SECRET_FILE", null, ServerSettings::secretFile);
        if (secret != null && secretFromFile != null) {
            throw new SettingsException("FORGE_JWT_SECRET and FORGE_JWT_SECRET_FILE are both set; keep the file");
        }
        secret = secret != null ? secret : secretFromFile;
        Path projects = reader.get("FORGE_PROJECTS_DIR", null, v -> directory(v, true));
        Path workspace = reader.get("FORGE_WORKSPACE_DIR", null, v -> directory(v, false));
        int workers = reader.get("FORGE_WORKERS", Math.min(256, Runtime.getRuntime().availableProcessors()),
                v -> integer(v, 1, 256));
        int builds = reader.get("FORGE_RATE_LIMIT_BUILDS_PER_MINUTE", 10, v -> integer(v, 1, 1_000_000));
        int requests = reader.get("FORGE_RATE_LIMIT_REQUESTS_PER_MINUTE", 60, v -> integer(v, 1, 1_000_000));
        List<String> origins = reader.get("FORGE_CORS_ORIGINS", List.of(), v -> {
            List<String> list = list(v);
            HttpConfig.builder().corsOrigins(list);
            return list;
        });
        List<String> hosts = reader.get("FORGE_TRUSTED_HOSTS", List.of(), v -> {
            List<String> list = list(v);
            HttpConfig.builder().trustedHosts(list);
            return list;
        });
        boolean debug = reader.get("FORGE_DEBUG", false, ServerSettings::bool);
        URI redis = reader.get("FORGE_REDIS_URL", null, ServerSettings::redis);
        String role = reader.get("FORGE_ROLE", "all", v -> oneOf(v, "api", "worker", "all"));
        Duration visibility = reader.get("FORGE_QUEUE_VISIBILITY_SECONDS", Duration.ofSeconds(60),
                v -> Duration.ofSeconds(integer(v, 1, 86_400)));
        String logFormat = reader.get("FORGE_LOG_FORMAT", "json", v -> oneOf(v, "json", "text"));
        String sandbox = reader.get("FORGE_SANDBOX", "auto", v -> oneOf(v, "auto", "strict", "off"));
        SandboxPolicy defaults = SandboxPolicy.defaults();
        boolean network = reader.get("FORGE_SANDBOX_NETWORK", false, ServerSettings::bool);
        long memory = reader.get("FORGE_SANDBOX_MEMORY_MB", defaults.memoryMb(),
                v -> defaults.withMemoryMb(integer(v, 0, 1_048_576)).memoryMb());
        long processes = reader.get("FORGE_SANDBOX_PROCESSES", defaults.processes(),
                v -> defaults.withProcesses(integer(v, 0, 4_194_304)).processes());
        List<Path> readable = reader.get("FORGE_SANDBOX_READABLE", List.of(),
                v -> list(v).stream().map(item -> directory(item, true)).toList());
        SandboxPolicy policy = defaults.withNetwork(network).withMemoryMb(memory).withProcesses(processes)
                .withReadable(readable);
        String database = reader.get("FORGE_DATABASE_URL", null, ServerSettings::databaseUrl);
        AdmissionConfig admission = AdmissionConfig.ofDefaults()
                .withActiveTasksPerUser(reader.get("FORGE_MAX_ACTIVE_TASKS_PER_USER",
                        AdmissionConfig.DEFAULT_ACTIVE_TASKS_PER_USER, v -> integer(v, 1, 1_000_000)))
                .withQueuedTasksPerQueue(reader.get("FORGE_MAX_QUEUED_TASKS",
                        AdmissionConfig.DEFAULT_QUEUED_TASKS_PER_QUEUE, v -> integer(v, 1, 10_000_000)));
        return new ServerSettings(host, port, secret, projects, workspace, workers, builds, requests, origins,
                hosts, debug, redis, role, visibility, logFormat, sandbox, policy, database, admission);
    }

    /** The flag of a variable: {@code FORGE_RATE_LIMIT_BUILDS_PER_MINUTE -> --rate-limit-builds-per-minute}. */
    static String flagOf(String variable) {
        return "--" + variable.substring("FORGE_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The HTTP settings these server settings imply. */
    HttpConfig httpConfig() {
        return HttpConfig.builder().corsOrigins(corsOrigins).trustedHosts(trustedHosts).debug(debug).build();
    }

    private static void flags(List<String> args, Map<String, String> values, Map<String, String> sources) {
        Map<String, String> byFlag = new LinkedHashMap<>();
        ORDER.forEach(variable -> byFlag.put(flagOf(variable), variable));
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--")) {
                throw new SettingsException("unexpected argument '" + arg + "' (see --help)");
            }
            int eq = arg.indexOf('=');
            String flag = eq < 0 ? arg : arg.substring(0, eq);
            String variable = byFlag.get(flag);
            if (variable == null) {
                throw new SettingsException("unknown option " + flag + " (see --help)");
            }
            String value;
            if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (variable.equals("FORGE_DEBUG")
                    && (i + 1 >= args.size() || args.get(i + 1).startsWith("--"))) {
                value = "true";
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new SettingsException(flag + " needs a value");
            }
            values.put(variable, value.trim());
            sources.put(variable, flag + " (" + variable + ")");
        }
    }

    /** Applies each parser, turning its complaint into a line naming the setting. */
    private static final class Reader {
        private final Map<String, String> values;
        private final Map<String, String> sources;

        Reader(Map<String, String> values, Map<String, String> sources) {
            this.values = values;
            this.sources = sources;
        }

        <T> T get(String variable, T fallback, Function<String, T> parser) {
            String value = values.get(variable);
            if (value == null) {
                return fallback;
            }
            try {
                return parser.apply(value);
            } catch (IllegalArgumentException e) {
                String shown = variable.equals("FORGE_JWT_SECRET") || variable.equals("FORGE_REDIS_URL")
                        || variable.equals("FORGE_DATABASE_URL") ? "<hidden>" : "'" + value + "'";
                throw new SettingsException(sources.get(variable) + ": " + e.getMessage() + ", was " + shown);
            }
        }
    }

    private static String host(String value) {
        if (!value.matches("[A-Za-z0-9.:\\[\\]-]{1,253}")) {
            throw new IllegalArgumentException("must be a host name or IP address");
        }
        return value;
    }

    private static int integer(String value, int min, int max) {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("must be a whole number from " + min + " to " + max);
    }

    private static String secret(String value) {
        if (value.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("must be at least 32 bytes");
        }
        return value;
    }

    /** Reads the secret once; the message names the file, never its content. */
    private static String secretFile(String value) {
        Path file;
        try {
            file = Path.of(value);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("must be a file path");
        }
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (content.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("must hold at least 32 bytes");
        }
        return content;
    }

    private static Path directory(String value, boolean mustExist) {
        Path path;
        try {
            path = Path.of(value).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("must be a folder path");
        }
        if (mustExist && !Files.isDirectory(path)) {
            throw new IllegalArgumentException("must be an existing folder");
        }
        if (!mustExist && Files.exists(path) && !Files.isDirectory(path)) {
            throw new IllegalArgumentException("must be a folder (or not exist yet)");
        }
        return path;
    }

    private static List<String> list(String value) {
        List<String> items = new ArrayList<>();
        Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(items::add);
        return items;
    }

    private static boolean bool(String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "true": case "1": case "yes": case "on":
                return true;
            case "false": case "0": case "no": case "off":
                return false;
            default:
                throw new IllegalArgumentException("must be true or false");
        }
    }

    private static String oneOf(String value, String... allowed) {
        String lower = value.toLowerCase(Locale.ROOT);
        if (!Arrays.asList(allowed).contains(lower)) {
            throw new IllegalArgumentException("must be one of " + String.join(", ", allowed));
        }
        return lower;
    }

    /** A PostgreSQL JDBC URL; checked for its form only, the server connects at start. */
    private static String databaseUrl(String value) {
        if (!value.startsWith("jdbc:postgresql://") || value.length() == "jdbc:postgresql://".length()) {
            throw new IllegalArgumentException("must be a PostgreSQL JDBC URL, e.g. "
                    + "jdbc:postgresql://127.0.0.1:5432/forge");
        }
        return value;
    }

    private static URI redis(String value) {
        try {
            URI uri = new URI(value);
            boolean scheme = "redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme());
            if (!scheme || uri.getHost() == null || uri.getPort() > 65_535) {
                throw new IllegalArgumentException("must look like redis://host:port");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("must look like redis://host:port");
        }
    }
}
