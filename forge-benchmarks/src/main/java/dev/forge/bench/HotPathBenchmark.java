package dev.forge.bench;

import dev.forge.Forge;
import dev.forge.Outcome;
import dev.forge.builds.BuildRequest;
import dev.forge.project.ProjectCatalog;
import dev.forge.project.ProjectSpec;
import dev.forge.ratelimit.InMemoryRateLimiter;
import dev.forge.ratelimit.RateLimitConfig;
import dev.forge.ratelimit.RateLimitRule;
import dev.forge.ratelimit.RateLimiter;
import dev.forge.security.AuthResult;
import dev.forge.security.DevTokens;
import dev.forge.security.JwtAuthenticator;
import dev.forge.security.Principal;
import dev.forge.security.Role;
import dev.forge.task.TaskId;
import dev.forge.task.TaskRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What every authenticated status request costs in forge-core: verify the bearer token, take a
 * rate-limit permit, look the task up. Measured one by one and together.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class HotPathBenchmark {

    private static final byte[] SECRET = "benchmark-secret-benchmark-secret-0123456789".getBytes();

    private JwtAuthenticator cached;
    private JwtAuthenticator uncached;
    private RateLimiter limiter;
    private Forge forge;
    private String token;
    private Principal alice;
    private TaskId taskId;

    /** Builds the pieces once. */
    @Setup(Level.Trial)
    public void setUp() {
        cached = JwtAuthenticator.builder().hs256Secret(SECRET).build();
        uncached = JwtAuthenticator.builder().hs256Secret(SECRET).cacheSize(0).build();
        // A huge budget so the benchmark measures the permit path, not denials.
        limiter = new InMemoryRateLimiter(RateLimitConfig.custom()
                .rule(RateLimiter.REQUEST, new RateLimitRule(1_000_000_000, Duration.ofSeconds(1)))
                .build(), Clock.systemUTC());
        token = DevTokens.hs256(SECRET).mint("alice", "Alice", Set.of(Role.USER), Duration.ofHours(1));
        alice = Principal.user("alice");
        ProjectCatalog catalog = new ProjectCatalog() {
            @Override
            public Optional<ProjectSpec> find(String name) {
                return Optional.of(ProjectSpec.builder(name).localSource(Path.of(".")).build());
            }

            @Override
            public List<String> names() {
                return List.of();
            }
        };
        forge = Forge.builder().projectCatalog(catalog).build();
        taskId = forge.builds().create(alice, new BuildRequest("demo", "benchmark", Map.of()))
                .orElseThrow().id();
    }

    /** Closes forge. */
    @TearDown(Level.Trial)
    public void tearDown() {
        forge.close();
    }

    /** Token verification with the verified-token cache (the default). */
    @Benchmark
    public AuthResult authVerifyCached() {
        return cached.authenticate(token);
    }

    /** Token verification without the cache: parse and HMAC every time. */
    @Benchmark
    public AuthResult authVerifyUncached() {
        return uncached.authenticate(token);
    }

    /** One rate-limit permit for one user. */
    @Benchmark
    public boolean rateLimitAcquire() {
        return limiter.tryAcquire("alice", RateLimiter.REQUEST).allowed();
    }

    /** Status lookup with the owner check. */
    @Benchmark
    public Outcome<TaskRecord> statusLookup() {
        return forge.builds().status(alice, taskId);
    }

    /** All three, as one authenticated status request does them. */
    @Benchmark
    public Outcome<TaskRecord> authRateLimitStatus() {
        AuthResult auth = cached.authenticate(token);
        Principal principal = ((AuthResult.Authenticated) auth).principal();
        limiter.tryAcquire(principal.userId(), RateLimiter.REQUEST);
        return forge.builds().status(principal, taskId);
    }
}
